using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gating.Executor.Git;
using Gating.Executor.Merger;
using Gating.Model;

namespace Gating.Executor.Build;

/// <summary>
/// Lays out every playbook of a build (zuul.md 4.2 step 6): checks out its project (trusted: the frozen branch tip;
/// untrusted: the speculative state), lays out its roles (bare role repositories under their alias, or a repository's
/// <c>roles/</c> directory), writes its secrets into its own extra-vars file and its ansible.cfg.
/// </summary>
public sealed partial class PlaybookPreparer
{
    private static readonly string[] RoleMarkers = ["tasks", "handlers", "meta", "defaults", "vars", "templates", "files"];
    private readonly RepositoryCache _cache;
    private readonly Dictionary<(bool Trusted, ProjectRef Project, string Sha), string> _checkouts = [];
    private readonly BuildDirectory _dir;
    private readonly Workspace _workspace;
    private readonly BuildParameters _parameters;
    private readonly string _pluginDir;

    /// <summary>Creates a preparer for one build.</summary>
    public PlaybookPreparer(RepositoryCache cache, BuildDirectory dir, Workspace workspace, BuildParameters parameters, string pluginDir)
    {
        _cache = cache;
        _dir = dir;
        _workspace = workspace;
        _parameters = parameters;
        _pluginDir = pluginDir;
    }

    /// <summary>Lays out all playbooks, in the order pre-run, run, post-run, cleanup.</summary>
    public async Task<ImmutableArray<PreparedPlaybook>> PrepareAllAsync(CancellationToken cancellationToken)
    {
        var all = _parameters.PreRun.Select(p => (PlaybookPhase.Pre, p))
            .Concat(_parameters.Run.Select(p => (PlaybookPhase.Run, p)))
            .Concat(_parameters.PostRun.Select(p => (PlaybookPhase.Post, p)))
            .Concat(_parameters.Cleanup.Select(p => (PlaybookPhase.Cleanup, p)))
            .ToList();
        var outside = all.SelectMany(a => a.p.Roles.IsDefault ? [a.p.Project] : a.p.Roles.Select(r => r.Project).Append(a.p.Project))
            .Select(p => p.Ref).Distinct().Where(p => !_workspace.Projects.ContainsKey(p));
        await _cache.UpdateAllAsync(outside, cancellationToken).ConfigureAwait(false);
        var result = ImmutableArray.CreateBuilder<PreparedPlaybook>();
        for (var index = 0; index < all.Count; index++)
        {
            result.Add(await PrepareAsync(index, all[index].Item1, all[index].p, cancellationToken).ConfigureAwait(false));
        }
        return result.ToImmutable();
    }

    private async Task<PreparedPlaybook> PrepareAsync(int index, PlaybookPhase phase, BuildPlaybook playbook, CancellationToken cancellationToken)
    {
        var dir = _dir.Playbook(index);
        Directory.CreateDirectory(dir);
        var checkout = await CheckoutAsync(playbook.Project, [playbook.Branch], playbook.Trusted, cancellationToken).ConfigureAwait(false);
        var file = Path.Combine(checkout, playbook.Path);
        if (!File.Exists(file))
        {
            throw new BuildSetupException($"Playbook {playbook.Path} was not found in {playbook.Project.Name} on branch {playbook.Branch}");
        }
        var checkouts = new List<string> { checkout };
        var rolePaths = new List<string>();
        var roles = playbook.Roles.IsDefault ? [] : playbook.Roles;
        for (var r = 0; r < roles.Length; r++)
        {
            var role = roles[r];
            var roleCheckout = await CheckoutAsync(role.Project,
                [role.Branch, playbook.Branch, _parameters.Branch, role.Project.DefaultBranch], playbook.Trusted, cancellationToken).ConfigureAwait(false);
            checkouts.Add(roleCheckout);
            if (RoleMarkers.Any(m => Directory.Exists(Path.Combine(roleCheckout, m))) || !Directory.Exists(Path.Combine(roleCheckout, "roles")))
            {
                // A bare role repository: visible under its alias through a link in this playbook's own dir.
                var linkDir = Path.Combine(dir, $"role_{r}");
                Directory.CreateDirectory(linkDir);
                File.CreateSymbolicLink(Path.Combine(linkDir, role.TargetName), roleCheckout);
                rolePaths.Add(linkDir);
            }
            else
            {
                rolePaths.Add(Path.Combine(roleCheckout, "roles"));
            }
        }
        if (!playbook.Trusted)
        {
            RefusePluginDirs(playbook, Path.GetDirectoryName(file)!, rolePaths);
        }
        var secrets = await WriteSecretsAsync(dir, playbook, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(dir, "ansible.cfg"), AnsibleConfig(rolePaths), cancellationToken).ConfigureAwait(false);
        return new PreparedPlaybook(index, phase, playbook, dir, file, [.. checkouts.Distinct()], secrets, [.. rolePaths]);
    }

    private static void RefusePluginDirs(BuildPlaybook playbook, string playbookDir, IEnumerable<string> rolePaths)
    {
        // An untrusted repository could ship Ansible plugins, which run on the executor: refuse them, as Zuul does.
        var candidates = new[] { playbookDir }
            .Concat(rolePaths.Where(Directory.Exists).SelectMany(Directory.EnumerateDirectories))
            .Concat(rolePaths.Where(Directory.Exists));
        foreach (var dir in candidates)
        {
            var plugins = Directory.Exists(dir)
                ? Directory.EnumerateDirectories(dir).FirstOrDefault(d => Path.GetFileName(d).EndsWith("_plugins", StringComparison.Ordinal))
                : null;
            if (plugins is not null)
            {
                throw new BuildSetupException(
                    $"Ansible plugin dir {Path.GetFileName(plugins)} found next to playbook {playbook.Path} or in a role of untrusted project {playbook.Project.Name}: untrusted playbooks may not ship plugins");
            }
        }
    }

    private async Task<string?> WriteSecretsAsync(string dir, BuildPlaybook playbook, CancellationToken cancellationToken)
    {
        var secrets = playbook.Secrets.IsDefault ? [] : playbook.Secrets;
        if (secrets.IsEmpty && _parameters.SecretParentData is null)
        {
            return null;
        }
        var values = _parameters.SecretParentData is { ValueKind: JsonValueKind.Object } parent
            ? JsonNode.Parse(parent.GetRawText())!.AsObject()
            : [];
        foreach (var secret in secrets)
        {
            values[secret.Name] = JsonNode.Parse(secret.Value.GetRawText());
        }
        var path = Path.Combine(dir, "secrets.json");
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The executor runs builds on Linux only (bubblewrap).");
        }
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        await using (var stream = new FileStream(path, options))
        {
            await JsonSerializer.SerializeAsync(stream, values, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        return path;
    }

    private async Task<string> CheckoutAsync(BuildProject project, IEnumerable<string?> branches, bool trusted, CancellationToken cancellationToken)
    {
        var inWorkspace = _workspace.Projects.TryGetValue(project.Ref, out var local);
        var refs = _workspace.State.For(project.Ref);
        var source = inWorkspace ? local!.Path : _cache.PathOf(project.Ref);
        string? sha = null;
        string? chosen = null;
        foreach (var branch in branches.Where(b => b is not null))
        {
            if (!trusted && _workspace.Heads.TryGetValue(new ProjectBranch(project.Ref, branch!), out var speculative))
            {
                (sha, chosen) = (speculative, branch);
                break;
            }
            if (refs is not null && refs.TryGetValue("refs/heads/" + branch, out var tip))
            {
                (sha, chosen) = (tip, branch);
                break;
            }
            if (refs is null)
            {
                var found = await _cache.Git.RunAsync(source, ["rev-parse", "--verify", "-q", $"refs/heads/{branch}^{{commit}}"], null, check: false, cancellationToken).ConfigureAwait(false);
                if (found.ExitCode == 0)
                {
                    (sha, chosen) = (found.Text, branch);
                    break;
                }
            }
        }
        if (sha is null)
        {
            throw new BuildSetupException($"No branch of {project.Name} to take playbooks or roles from (tried {string.Join(", ", branches.Where(b => b is not null))})");
        }
        var key = (trusted, project.Ref, sha);
        if (_checkouts.TryGetValue(key, out var path))
        {
            return path;
        }
        path = Path.Combine(trusted ? _dir.Trusted : _dir.Untrusted, $"project_{_checkouts.Count}", project.CanonicalHostname, project.Name);
        await _cache.Git.ExportAsync(source, sha, path, cancellationToken).ConfigureAwait(false);
        _checkouts[key] = path;
        return path;
    }
}

using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Parsing;
using Gating.Config.Yaml;

namespace Gating.Config.Loading;

/// <summary>
/// Parsed configuration per project branch, reused while the branch's files and context are unchanged, so that
/// a re-layout after one project's change re-parses only that project and rebuilds the index.
/// Not thread-safe: one loader at a time.
/// </summary>
public sealed class ProjectConfigCache
{
    private readonly Dictionary<(string Project, string Branch), Entry> _entries = [];

    private sealed record Entry(BranchContext Context, List<ConfigFileText> Files, ParsedConfig Parsed);

    /// <summary>Number of cached branches.</summary>
    public int Count => _entries.Count;

    internal ParsedConfig GetOrParse(BranchContext context, List<ConfigFileText> files, Func<ParsedConfig> parse)
    {
        var key = (context.Project.Name, context.Branch);
        if (_entries.TryGetValue(key, out var e) && e.Context == context && SameFiles(e.Files, files))
        {
            return e.Parsed;
        }
        var parsed = parse();
        _entries[key] = new Entry(context, files, parsed);
        return parsed;
    }

    private static bool SameFiles(List<ConfigFileText> a, List<ConfigFileText> b)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++)
        {
            if (!string.Equals(a[i].Path, b[i].Path, StringComparison.Ordinal) || !string.Equals(a[i].Text, b[i].Text, StringComparison.Ordinal)) return false;
        }
        return true;
    }
}

/// <summary>
/// Loads a tenant: config projects (one branch) then untrusted projects (every included branch), each branch's
/// files discovered and parsed, then the <see cref="TenantLayout"/> built. Never throws for bad configuration.
/// </summary>
public static class TenantLoader
{
    /// <summary>Loads <paramref name="tenant"/> reading projects from <paramref name="repos"/>.</summary>
    public static TenantLayout Load(
        TenantConfig tenant,
        IRepositorySource repos,
        IEnumerable<GlobalSemaphoreConfig>? globalSemaphores = null,
        ProjectConfigCache? cache = null,
        IEnumerable<ConfigError>? leadingErrors = null)
    {
        var errors = new List<ConfigError>(leadingErrors ?? []);
        var loaded = new List<LoadedBranch>();
        var projects = tenant.ProjectsInLoadOrder;
        for (int index = 0; index < projects.Length; index++)
        {
            var project = projects[index];
            try
            {
                LoadProject(project, index, repos, cache, loaded, errors);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                errors.Add(ConfigError.At(ConfigErrorCodes.InternalError, project.Location, $"loading project '{project.Name}' failed unexpectedly: {e.Message}") with { Project = project.Name });
            }
        }
        return LayoutBuilder.Build(tenant, loaded, globalSemaphores, errors);
    }

    private static void LoadProject(TenantProjectConfig project, int index, IRepositorySource repos, ProjectConfigCache? cache, List<LoadedBranch> loaded, List<ConfigError> errors)
    {
        var repo = repos.Find(project.Name);
        if (repo is null)
        {
            errors.Add(ConfigError.WarningAt(ConfigErrorCodes.MissingRepository, project.Location,
                $"no repository for project '{project.Name}' (give --repo {project.Name}=PATH or --repos-root); skipped") with { Project = project.Name });
            return;
        }
        var branches = BranchesToLoad(project, repo);
        foreach (var branch in branches)
        {
            var context = new BranchContext(project, branch, branches.Count > 1, index);
            var sink = new ErrorSink(project.Name, branch);
            var files = ConfigFileDiscovery.Read(repo.OpenBranch(branch), project.ExtraConfigPaths, sink);
            var discoveryErrors = sink.All.ToImmutableArray();
            ParsedConfig Parse()
            {
                var parsed = ParseBranch(context, files);
                return discoveryErrors.IsEmpty ? parsed : parsed with { Errors = discoveryErrors.AddRange(parsed.Errors) };
            }
            var config = cache is null ? Parse() : cache.GetOrParse(context, files, Parse);
            loaded.Add(new LoadedBranch(project, branch, config));
        }
    }

    /// <summary>
    /// Re-layout after one project branch's files changed: only that branch is parsed again; every other
    /// branch's parsed objects are reused and the index is rebuilt.
    /// </summary>
    public static TenantLayout Relayout(TenantLayout previous, string project, string branch, IReadOnlyList<ConfigFileText> files)
    {
        var branches = new List<LoadedBranch>(previous.LoadedBranches.Length);
        bool found = false;
        var projects = previous.Tenant.ProjectsInLoadOrder;
        foreach (var lb in previous.LoadedBranches)
        {
            if (lb.Project.Name == project && lb.Branch == branch)
            {
                int index = projects.IndexOf(lb.Project);
                int count = previous.LoadedBranches.Count(x => x.Project.Name == project);
                var context = new BranchContext(lb.Project, branch, count > 1, index);
                branches.Add(lb with { Config = ParseBranch(context, files) });
                found = true;
            }
            else
            {
                branches.Add(lb);
            }
        }
        if (!found)
        {
            throw new ArgumentException($"project '{project}' branch '{branch}' is not part of the layout", nameof(project));
        }
        return LayoutBuilder.Build(previous.Tenant, branches, previous.AllGlobalSemaphores, previous.LoadErrors);
    }

    /// <summary>Parses the files of one branch (pure).</summary>
    public static ParsedConfig ParseBranch(BranchContext context, IReadOnlyList<ConfigFileText> files)
    {
        var sink = new ErrorSink(context.Project.Name, context.Branch);
        var parser = new ConfigFileParser(context, sink);
        foreach (var f in files) parser.AddFile(f.Path, f.Text);
        return parser.Build();
    }

    /// <summary>Config projects: the load branch. Untrusted: every branch that include/exclude-branches keep.</summary>
    public static IReadOnlyList<string> BranchesToLoad(TenantProjectConfig project, IProjectRepository repo)
    {
        if (project.Trusted)
        {
            return [project.LoadBranch ?? (repo.Branches.IsDefaultOrEmpty ? "master" : repo.Branches[0])];
        }
        var result = new List<string>();
        foreach (var b in repo.Branches)
        {
            if (project.IncludeBranches is { } inc)
            {
                if (inc.Any(m => m.Matches(b))) result.Add(b);
            }
            else if (project.ExcludeBranches is not { } exc || !exc.Any(m => m.Matches(b)))
            {
                result.Add(b);
            }
        }
        return result;
    }
}

using System.Diagnostics;
using System.Globalization;
using Gating.Executor.Git;

namespace Gating.Testing.Git;

/// <summary>
/// Real git repositories for tests: projects with commits and branches, changes as Gerrit-style refs, served over
/// file:// and (on demand) <c>git daemon</c> on loopback. Commit dates advance one minute per commit from a fixed
/// start, so the same script always makes the same commit ids.
/// </summary>
public sealed partial class GitTestServer : IAsyncDisposable
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly GitRunner _git = new(new GitOptions(), TimeProvider.System);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _clock;
    private Process? _daemon;

    private GitTestServer(string root)
    {
        Root = root;
        UpstreamRoot = Path.Combine(root, "upstream");
        Directory.CreateDirectory(UpstreamRoot);
    }

    /// <summary>Makes a server in a fresh temporary directory.</summary>
    public static GitTestServer Create() =>
        new(Path.Combine(Path.GetTempPath(), "gating-git-" + Guid.NewGuid().ToString("N")[..12]));

    /// <summary>The server's directory (removed on dispose).</summary>
    public string Root { get; }

    /// <summary>The directory holding the bare upstream repositories, one per project.</summary>
    public string UpstreamRoot { get; }

    /// <summary>The file:// base URL: a project is at <c>{FileBaseUrl}/{project}</c>.</summary>
    public string FileBaseUrl => "file://" + UpstreamRoot;

    /// <summary>The git:// base URL once <see cref="StartDaemonAsync"/> ran.</summary>
    public string? DaemonBaseUrl { get; private set; }

    /// <summary>Creates a project whose <paramref name="branch"/> holds one commit with <paramref name="files"/>; returns its sha.</summary>
    public async Task<string> CreateProjectAsync(string project, IReadOnlyDictionary<string, string> files, string branch = "main", CancellationToken cancellationToken = default)
    {
        var upstream = Path.Combine(UpstreamRoot, project);
        Directory.CreateDirectory(upstream);
        await _git.RunAsync(upstream, ["init", "-q", "--bare", "-b", branch], cancellationToken).ConfigureAwait(false);
        var work = WorkPath(project);
        Directory.CreateDirectory(work);
        await _git.RunAsync(work, ["init", "-q", "-b", branch], cancellationToken).ConfigureAwait(false);
        await _git.RunAsync(work, ["remote", "add", "origin", upstream], cancellationToken).ConfigureAwait(false);
        return await CommitOnAsync(project, null, $"refs/heads/{branch}", Nullable(files), "Initial commit", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds a commit to a branch (a null content deletes the file); returns its sha.</summary>
    public async Task<string> CommitAsync(string project, string branch, IReadOnlyDictionary<string, string?> files, string message, CancellationToken cancellationToken = default)
    {
        var parent = await ResolveAsync(project, $"refs/heads/{branch}", cancellationToken).ConfigureAwait(false);
        return await CommitOnAsync(project, parent, $"refs/heads/{branch}", files, message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a branch at <paramref name="from"/> (a sha or a ref of the project).</summary>
    public async Task<string> CreateBranchAsync(string project, string branch, string from, CancellationToken cancellationToken = default)
    {
        var sha = await ResolveAsync(project, from, cancellationToken).ConfigureAwait(false);
        await _git.RunAsync(Path.Combine(UpstreamRoot, project), ["update-ref", $"refs/heads/{branch}", sha], cancellationToken).ConfigureAwait(false);
        return sha;
    }

    /// <summary>
    /// Stores a change (one commit on top of <paramref name="parent"/>, default the branch tip) as
    /// <c>refs/changes/NN/NNNN/P</c>, as Gerrit does.
    /// </summary>
    public async Task<GitTestChange> CreateChangeAsync(
        string project, string branch, int number, int patchset, IReadOnlyDictionary<string, string?> files,
        string? message = null, string? parent = null, CancellationToken cancellationToken = default)
    {
        parent ??= await ResolveAsync(project, $"refs/heads/{branch}", cancellationToken).ConfigureAwait(false);
        var changeRef = GitTestChange.RefFor(number, patchset);
        var sha = await CommitOnAsync(project, parent, changeRef, files, message ?? $"Change {number},{patchset}", cancellationToken).ConfigureAwait(false);
        return new GitTestChange(project, branch, number, patchset, changeRef, sha);
    }

    /// <summary>Makes a merge commit of <paramref name="parents"/> stored at <paramref name="refName"/> (tree of the first parent).</summary>
    public async Task<string> CreateMergeCommitAsync(string project, string refName, IReadOnlyList<string> parents, string message, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var work = WorkPath(project);
            await _git.RunAsync(work, ["fetch", "-q", "origin", "+refs/*:refs/upstream/*"], cancellationToken).ConfigureAwait(false);
            List<string> args = ["commit-tree", parents[0] + "^{tree}", "-m", message];
            foreach (var parent in parents)
            {
                args.AddRange(["-p", parent]);
            }
            var sha = (await _git.RunAsync(work, args, NextDate(), check: true, cancellationToken).ConfigureAwait(false)).Text;
            await _git.RunAsync(work, ["push", "-q", "-f", "origin", $"{sha}:{refName}"], cancellationToken).ConfigureAwait(false);
            return sha;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The sha a ref (or any revision) of the project points at.</summary>
    public async Task<string> ResolveAsync(string project, string revision, CancellationToken cancellationToken = default) =>
        (await _git.RunAsync(Path.Combine(UpstreamRoot, project), ["rev-parse", revision + "^{commit}"], cancellationToken).ConfigureAwait(false)).Text;

    /// <summary>The content of a file at a revision of a repository anywhere (e.g. a workspace checkout).</summary>
    public async Task<string> ShowAsync(string repoPath, string revision, string file, CancellationToken cancellationToken = default) =>
        (await _git.RunAsync(repoPath, ["show", $"{revision}:{file}"], cancellationToken).ConfigureAwait(false)).StandardOutput;

    private async Task<string> CommitOnAsync(
        string project, string? parent, string targetRef, IReadOnlyDictionary<string, string?> files, string message, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var work = WorkPath(project);
            if (parent is not null)
            {
                await _git.RunAsync(work, ["fetch", "-q", "origin", "+refs/*:refs/upstream/*"], cancellationToken).ConfigureAwait(false);
                await _git.RunAsync(work, ["checkout", "-q", "-f", "--detach", parent], cancellationToken).ConfigureAwait(false);
                await _git.RunAsync(work, ["clean", "-qfdx"], cancellationToken).ConfigureAwait(false);
            }
            foreach (var (file, content) in files)
            {
                var path = Path.Combine(work, file);
                if (content is null)
                {
                    File.Delete(path);
                    continue;
                }
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, content, cancellationToken).ConfigureAwait(false);
            }
            await _git.RunAsync(work, ["add", "-A"], cancellationToken).ConfigureAwait(false);
            await _git.RunAsync(work, ["commit", "-q", "--allow-empty", "-m", message], NextDate(), check: true, cancellationToken).ConfigureAwait(false);
            var sha = (await _git.RunAsync(work, ["rev-parse", "HEAD"], cancellationToken).ConfigureAwait(false)).Text;
            await _git.RunAsync(work, ["push", "-q", "-f", "origin", $"HEAD:{targetRef}"], cancellationToken).ConfigureAwait(false);
            return sha;
        }
        finally
        {
            _gate.Release();
        }
    }

    private Dictionary<string, string?> NextDate()
    {
        var date = Epoch.AddMinutes(Interlocked.Increment(ref _clock)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + " +0000";
        return new Dictionary<string, string?>
        {
            ["GIT_AUTHOR_NAME"] = "Test Author", ["GIT_AUTHOR_EMAIL"] = "author@example.test", ["GIT_AUTHOR_DATE"] = "@" + date,
            ["GIT_COMMITTER_NAME"] = "Test Author", ["GIT_COMMITTER_EMAIL"] = "author@example.test", ["GIT_COMMITTER_DATE"] = "@" + date,
        };
    }

    private string WorkPath(string project) => Path.Combine(Root, "work", project);

    private static Dictionary<string, string?> Nullable(IReadOnlyDictionary<string, string> files) =>
        files.ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
}

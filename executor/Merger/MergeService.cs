using System.Collections.Immutable;
using Gating.Executor.Git;
using Gating.Model;

namespace Gating.Executor.Merger;

/// <summary>
/// Carries out the merger's request kinds (<c>merge</c>, <c>cat</c>, <c>refstate</c>, <c>fileschanges</c>)
/// against the repository cache and the merger's own working repositories (one per project, locked per project).
/// </summary>
public sealed class MergeService
{
    private readonly RepositoryCache _cache;
    private readonly WorkingRepos _repos;
    private readonly SpeculativeMerger _merger;
    private readonly ConfigFileReader _reader;
    private readonly AsyncKeyedLock _locks = new();

    /// <summary>Creates the service; its working repositories live under <paramref name="workRoot"/>.</summary>
    public MergeService(RepositoryCache cache, string workRoot)
    {
        _cache = cache;
        var root = Path.GetFullPath(workRoot);
        _repos = new WorkingRepos(cache, p => Path.Combine(root, p.Connection, p.Project));
        _merger = new SpeculativeMerger(cache.Git, cache.Locator);
        _reader = new ConfigFileReader(cache.Git);
    }

    /// <summary>Merges the request's items in order and reads the config files of every item's project branch.</summary>
    public async Task<MergeResult> MergeAsync(MergeRequest request, CancellationToken cancellationToken)
    {
        var projects = request.Items.Select(i => new ProjectRef(i.Connection, i.Project)).Distinct().ToList();
        await _cache.UpdateAllAsync(projects, cancellationToken).ConfigureAwait(false);
        using var held = await _locks.AcquireAllAsync(projects.Select(_repos.PathOf), cancellationToken).ConfigureAwait(false);
        var paths = new Dictionary<ProjectRef, string>();
        var state = request.RepoState ?? MergeRepoState.Empty;
        foreach (var project in projects)
        {
            paths[project] = await _repos.PrepareAsync(project, cancellationToken).ConfigureAwait(false);
            if (state.For(project) is null)
            {
                state = state.With(project, await _repos.CurrentStateAsync(project, cancellationToken).ConfigureAwait(false));
            }
        }
        var outcome = await _merger.MergeAsync(paths, request.Items, state, request.ConfiguredTime, cancellationToken).ConfigureAwait(false);
        var commits = outcome.Heads
            .GroupBy(h => h.Key.Project.ToString())
            .ToImmutableSortedDictionary(
                g => g.Key,
                g => g.ToImmutableSortedDictionary(h => h.Key.Branch, h => h.Value, StringComparer.Ordinal),
                StringComparer.Ordinal);
        var files = ImmutableArray.CreateBuilder<MergeFiles>();
        if (outcome.Merged)
        {
            foreach (var (key, head) in outcome.Heads.OrderBy(h => h.Key.Project.ToString(), StringComparer.Ordinal).ThenBy(h => h.Key.Branch, StringComparer.Ordinal))
            {
                var read = await _reader.ReadAsync(paths[key.Project], head, request.ExtraFiles.OrEmpty(), request.ExtraDirs.OrEmpty(), cancellationToken).ConfigureAwait(false);
                files.Add(new MergeFiles(key.Project.Connection, key.Project.Project, key.Branch, read));
            }
        }
        return new MergeResult(outcome.Merged, outcome.ConflictItem, outcome.ConflictDetail, commits, outcome.ItemCommits, state, files.ToImmutable());
    }

    /// <summary>The config files (and extra files and dirs) of a branch tip.</summary>
    public async Task<MergeFiles> CatAsync(CatRequest request, CancellationToken cancellationToken)
    {
        var project = new ProjectRef(request.Connection, request.Project);
        var path = await _cache.UpdateAsync(project, cancellationToken).ConfigureAwait(false);
        var files = await _reader.ReadAsync(path, "refs/heads/" + request.Branch, request.ExtraFiles.OrEmpty(), request.ExtraDirs.OrEmpty(), cancellationToken).ConfigureAwait(false);
        return new MergeFiles(request.Connection, request.Project, request.Branch, files);
    }

    /// <summary>The branch and tag tips of the projects, to freeze for a buildset.</summary>
    public async Task<MergeRepoState> RefStateAsync(RefStateRequest request, CancellationToken cancellationToken)
    {
        await _cache.UpdateAllAsync(request.Projects, cancellationToken).ConfigureAwait(false);
        var state = MergeRepoState.Empty;
        foreach (var project in request.Projects.Distinct())
        {
            var output = await _cache.Git.RunAsync(_cache.PathOf(project),
                ["for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/", "refs/tags/"], cancellationToken).ConfigureAwait(false);
            var refs = output.Lines
                .Select(l => l.Split(' ', 2))
                .Where(p => request.Branches.IsDefaultOrEmpty || request.Branches.Contains(p[1].Replace("refs/heads/", "", StringComparison.Ordinal)))
                .ToImmutableSortedDictionary(p => p[1], p => p[0], StringComparer.Ordinal);
            state = state.With(project, refs);
        }
        return state;
    }

    /// <summary>The files a change touches compared with the branch it is proposed to.</summary>
    public async Task<ImmutableArray<string>> FilesChangesAsync(FilesChangesRequest request, CancellationToken cancellationToken)
    {
        var project = new ProjectRef(request.Connection, request.Project);
        await _cache.UpdateAsync(project, cancellationToken).ConfigureAwait(false);
        var git = _cache.Git;
        return await _cache.WithLockAsync(project, async path =>
        {
            await git.RunAsync(path, ["fetch", "-q", "--no-tags", _cache.Locator.UrlOf(project), request.Ref], cancellationToken).ConfigureAwait(false);
            var target = request.Commit ?? (await git.RunAsync(path, ["rev-parse", "FETCH_HEAD"], cancellationToken).ConfigureAwait(false)).Text;
            var mergeBase = (await git.RunAsync(path, ["merge-base", "refs/heads/" + request.Branch, target], cancellationToken).ConfigureAwait(false)).Text;
            var diff = await git.RunAsync(path, ["diff", "--name-only", "-z", mergeBase, target], cancellationToken).ConfigureAwait(false);
            return diff.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToImmutableArray();
        }, cancellationToken).ConfigureAwait(false);
    }
}

internal static class ImmutableArrayExtensions
{
    public static ImmutableArray<T> OrEmpty<T>(this ImmutableArray<T> array) => array.IsDefault ? [] : array;
}

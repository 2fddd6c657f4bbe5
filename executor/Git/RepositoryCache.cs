using Gating.Model;

namespace Gating.Executor.Git;

/// <summary>
/// The executor's cache of every project's repository: one bare repository per project, fetched from its upstream
/// URL, holding the upstream's branches and tags as its own <c>refs/heads</c> and <c>refs/tags</c>. Workspaces and
/// merger repositories clone from it (hard links, no network). Each repository is locked while it is fetched.
/// </summary>
public sealed class RepositoryCache
{
    private readonly string _root;
    private readonly GitRunner _git;
    private readonly IRepositoryLocator _locator;
    private readonly AsyncKeyedLock _locks = new();

    /// <summary>Creates a cache rooted at <paramref name="root"/>.</summary>
    public RepositoryCache(string root, GitRunner git, IRepositoryLocator locator)
    {
        _root = Path.GetFullPath(root);
        _git = git;
        _locator = locator;
    }

    /// <summary>Where the repositories are upstream.</summary>
    public IRepositoryLocator Locator => _locator;

    /// <summary>The git runner the cache uses.</summary>
    public GitRunner Git => _git;

    /// <summary>The path of a project's cached bare repository.</summary>
    public string PathOf(ProjectRef project) => Path.Combine(_root, project.Connection, project.Project + ".git");

    /// <summary>Fetches the project's branches and tags from upstream (cloning it first if needed); returns its path.</summary>
    public Task<string> UpdateAsync(ProjectRef project, CancellationToken cancellationToken) => UpdateAsync(project, [], cancellationToken);

    /// <summary>
    /// Fetches the project's branches and tags, and in the same fetch the objects of <paramref name="extraRefs"/>
    /// (change refs a build is about to merge, stored nowhere but in the object store), so that clones of the cache
    /// have them without a second fetch from upstream. A ref upstream no longer has does not fail the update.
    /// </summary>
    public async Task<string> UpdateAsync(ProjectRef project, IReadOnlyCollection<string> extraRefs, CancellationToken cancellationToken)
    {
        var path = PathOf(project);
        using (await _locks.AcquireAsync(path, cancellationToken).ConfigureAwait(false))
        {
            if (!Directory.Exists(Path.Combine(path, "objects")))
            {
                Directory.CreateDirectory(path);
                await _git.RunAsync(path, ["init", "-q", "--bare"], cancellationToken).ConfigureAwait(false);
            }
            string[] fetch = ["fetch", "-q", "--prune", "--no-tags", _locator.UrlOf(project), "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];
            try
            {
                await _git.RunAsync(path, [.. fetch, .. extraRefs], cancellationToken).ConfigureAwait(false);
            }
            catch (GitException e) when (extraRefs.Count > 0 && !e.IsTransient)
            {
                // A change ref that is gone: fetch the branches alone; the merge reports the missing change.
                await _git.RunAsync(path, fetch, cancellationToken).ConfigureAwait(false);
            }
        }
        return path;
    }

    /// <summary>Updates several projects at once (each under its own lock).</summary>
    public Task UpdateAllAsync(IEnumerable<ProjectRef> projects, CancellationToken cancellationToken) =>
        Task.WhenAll(projects.Distinct().Select(p => UpdateAsync(p, cancellationToken)));

    /// <summary>Runs <paramref name="action"/> while holding the project's cache lock (for fetches into the cache).</summary>
    public async Task<T> WithLockAsync<T>(ProjectRef project, Func<string, Task<T>> action, CancellationToken cancellationToken)
    {
        var path = PathOf(project);
        using (await _locks.AcquireAsync(path, cancellationToken).ConfigureAwait(false))
        {
            return await action(path).ConfigureAwait(false);
        }
    }
}

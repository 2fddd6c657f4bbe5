using System.Collections.Immutable;
using Gating.Executor.Git;
using Gating.Model;

namespace Gating.Executor.Merger;

/// <summary>
/// Repositories with a work tree, cloned from the <see cref="RepositoryCache"/> (their <c>origin</c>), where merges
/// happen: the merger's own repositories, or a build's <c>work/src</c> checkouts.
/// </summary>
public sealed class WorkingRepos
{
    private readonly RepositoryCache _cache;
    private readonly Func<ProjectRef, string> _pathOf;

    /// <summary>Creates the set; <paramref name="pathOf"/> says where each project's repository lives.</summary>
    public WorkingRepos(RepositoryCache cache, Func<ProjectRef, string> pathOf)
    {
        _cache = cache;
        _pathOf = pathOf;
    }

    /// <summary>The cache the repositories clone from.</summary>
    public RepositoryCache Cache => _cache;

    /// <summary>The path of a project's working repository.</summary>
    public string PathOf(ProjectRef project) => _pathOf(project);

    /// <summary>Clones the project from the cache, or fetches the cache's refs into an existing clone.</summary>
    public async Task<string> PrepareAsync(ProjectRef project, CancellationToken cancellationToken)
    {
        var path = _pathOf(project);
        var git = _cache.Git;
        if (Directory.Exists(Path.Combine(path, ".git")))
        {
            await git.RunAsync(path,
                ["fetch", "-q", "--prune", "--no-tags", "origin", "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"],
                cancellationToken).ConfigureAwait(false);
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await git.RunAsync(null, ["clone", "-q", "--no-checkout", _cache.PathOf(project), path], cancellationToken).ConfigureAwait(false);
        }
        return path;
    }

    /// <summary>The branch and tag tips the clone got from the cache, as <c>refs/heads/*</c> and <c>refs/tags/*</c>.</summary>
    public async Task<ImmutableSortedDictionary<string, string>> CurrentStateAsync(ProjectRef project, CancellationToken cancellationToken)
    {
        var output = await _cache.Git.RunAsync(_pathOf(project),
            ["for-each-ref", "--format=%(objectname) %(refname)", "refs/remotes/origin/", "refs/tags/"], cancellationToken).ConfigureAwait(false);
        var refs = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Lines)
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var (sha, name) = (line[..space], line[(space + 1)..]);
            if (name == "refs/remotes/origin/HEAD")
            {
                continue;
            }
            refs[name.StartsWith("refs/remotes/origin/", StringComparison.Ordinal)
                ? "refs/heads/" + name["refs/remotes/origin/".Length..]
                : name] = sha;
        }
        return refs.ToImmutable();
    }
}

using System.Collections.Immutable;
using System.Text;
using Gating.Executor.Git;
using Gating.Executor.Merger;
using Gating.Model;

namespace Gating.Executor.Build;

/// <summary>A project checked out in <c>work/src</c>.</summary>
/// <param name="Project">The project.</param>
/// <param name="Path">The checkout.</param>
/// <param name="Checkout">The branch checked out.</param>
/// <param name="CheckoutDescription">Why that branch (Zuul's <c>checkout_description</c>).</param>
/// <param name="Commit">The commit checked out.</param>
/// <param name="Required">Whether the job listed it in required-projects.</param>
public sealed record WorkspaceProject(BuildProject Project, string Path, string Checkout, string CheckoutDescription, string Commit, bool Required);

/// <summary>The prepared workspace: every project's checkout and the speculative heads.</summary>
public sealed record Workspace(
    ImmutableDictionary<ProjectRef, WorkspaceProject> Projects,
    MergeRepoState State,
    ImmutableDictionary<ProjectBranch, string> Heads);

/// <summary>The item's changes did not merge in the workspace.</summary>
public sealed class WorkspaceMergeConflictException(string message) : Exception(message);

/// <summary>
/// Prepares <c>work/src</c> (zuul.md 4.2 steps 1-4): updates the cache, clones each project with the workspace scheme,
/// restores the frozen repo state, merges the items again on top, sets <c>origin/&lt;branch&gt;</c> to the state
/// before the change, and checks out the right branch.
/// </summary>
public sealed class WorkspaceBuilder
{
    private readonly RepositoryCache _cache;

    /// <summary>Creates a builder over the executor's repository cache.</summary>
    public WorkspaceBuilder(RepositoryCache cache) => _cache = cache;

    /// <summary>The path of a project under <paramref name="src"/> for a workspace scheme.</summary>
    public static string PathFor(string src, BuildProject project, WorkspaceScheme scheme) => scheme switch
    {
        WorkspaceScheme.Golang => Path.Combine(src, project.CanonicalHostname, project.Name),
        WorkspaceScheme.Flat => Path.Combine(src, project.ShortName),
        WorkspaceScheme.Unique => Path.Combine(src, Uri.EscapeDataString(project.CanonicalHostname), Uri.EscapeDataString(project.Name)),
        _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, null),
    };

    /// <summary>Every project the workspace holds: the item's, every item's, and the required ones.</summary>
    public static ImmutableArray<BuildProject> ProjectsOf(BuildParameters parameters) =>
        [.. new[] { parameters.Project }.Concat(parameters.Items.Select(i => i.Project)).Concat(parameters.RequiredProjects)
            .GroupBy(p => p.Ref).Select(g => g.Last())];

    /// <summary>Prepares the workspace of a build in <paramref name="src"/>.</summary>
    public async Task<Workspace> PrepareAsync(BuildParameters parameters, string src, CancellationToken cancellationToken)
    {
        var projects = ProjectsOf(parameters);
        var required = parameters.RequiredProjects.Select(p => p.Ref).ToHashSet();
        var repos = new WorkingRepos(_cache, p => PathFor(src, projects.First(x => x.Ref == p), parameters.WorkspaceScheme));
        // The items' change refs come along with the cache update, so the merge below needs no fetch of its own.
        var itemRefs = parameters.Items.Where(i => i.Merge.Ref is { } r && i.Merge.Commit is not null && !r.StartsWith("refs/heads/", StringComparison.Ordinal))
            .ToLookup(i => new ProjectRef(i.Merge.Connection, i.Merge.Project), i => i.Merge.Ref!);
        await Task.WhenAll(projects.Select(p => p.Ref).Distinct().Select(p =>
            _cache.UpdateAsync(p, [.. itemRefs[p].Distinct()], cancellationToken))).ConfigureAwait(false);
        await Task.WhenAll(projects.Select(p => repos.PrepareAsync(p.Ref, cancellationToken))).ConfigureAwait(false);
        var state = parameters.RepoState;
        foreach (var project in projects.Where(p => state.For(p.Ref) is null))
        {
            state = state.With(project.Ref, await repos.CurrentStateAsync(project.Ref, cancellationToken).ConfigureAwait(false));
        }
        var merger = new SpeculativeMerger(_cache.Git, _cache.Locator);
        var outcome = await merger.MergeAsync(
            projects.ToDictionary(p => p.Ref, p => repos.PathOf(p.Ref)),
            [.. parameters.Items.Select(i => i.Merge)], state, parameters.ConfiguredTime, cancellationToken).ConfigureAwait(false);
        if (!outcome.Merged)
        {
            throw new WorkspaceMergeConflictException($"Item {outcome.ConflictItem} ({parameters.Items[outcome.ConflictItem!.Value].Merge.Ref}) did not merge: {outcome.ConflictDetail}");
        }
        var result = ImmutableDictionary.CreateBuilder<ProjectRef, WorkspaceProject>();
        foreach (var project in projects)
        {
            var path = repos.PathOf(project.Ref);
            var refs = state.For(project.Ref)!;
            await RestoreRefsAsync(path, project, refs, outcome.Heads, cancellationToken).ConfigureAwait(false);
            var (branch, why) = ChooseCheckout(parameters, project, refs);
            await _cache.Git.RunAsync(path, ["checkout", "-q", "-f", branch], cancellationToken).ConfigureAwait(false);
            await _cache.Git.RunAsync(path, ["remote", "set-url", "origin", "file:///dev/null"], cancellationToken).ConfigureAwait(false);
            // The branch was just written by RestoreRefsAsync: its commit is known without asking git.
            var commit = outcome.Heads.TryGetValue(new ProjectBranch(project.Ref, branch), out var head) ? head : refs["refs/heads/" + branch];
            result[project.Ref] = new WorkspaceProject(project, path, branch, why, commit, required.Contains(project.Ref));
        }
        return new Workspace(result.ToImmutable(), state, outcome.Heads);
    }

    private async Task RestoreRefsAsync(
        string path, BuildProject project, ImmutableSortedDictionary<string, string> refs,
        ImmutableDictionary<ProjectBranch, string> heads, CancellationToken cancellationToken)
    {
        var existing = await _cache.Git.RunAsync(path, ["for-each-ref", "--format=%(refname)", "refs/heads/", "refs/remotes/", "refs/tags/"], cancellationToken).ConfigureAwait(false);
        var wanted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, sha) in refs)
        {
            if (name.StartsWith("refs/heads/", StringComparison.Ordinal))
            {
                var branch = name["refs/heads/".Length..];
                wanted[name] = heads.TryGetValue(new ProjectBranch(project.Ref, branch), out var speculative) ? speculative : sha;
                wanted["refs/remotes/origin/" + branch] = sha;
            }
            else
            {
                wanted[name] = sha;
            }
        }
        var commands = new StringBuilder();
        // Only the frozen state may be visible: drop what the clone brought along, then write the state.
        foreach (var name in existing.Lines.Where(n => !wanted.ContainsKey(n)))
        {
            commands.Append("delete ").Append(name).Append('\n');
        }
        foreach (var (name, sha) in wanted)
        {
            commands.Append("update ").Append(name).Append(' ').Append(sha).Append('\n');
        }
        await _cache.Git.RunWithInputAsync(path, ["update-ref", "--no-deref", "--stdin"], commands.ToString(), cancellationToken).ConfigureAwait(false);
    }

    private static (string Branch, string Why) ChooseCheckout(BuildParameters parameters, BuildProject project, ImmutableSortedDictionary<string, string> refs)
    {
        bool Exists(string? branch) => branch is not null && refs.ContainsKey("refs/heads/" + branch);
        if (Exists(project.OverrideCheckout))
        {
            return (project.OverrideCheckout!, "project override ref");
        }
        if (Exists(parameters.OverrideCheckout))
        {
            return (parameters.OverrideCheckout!, "job override ref");
        }
        if (Exists(parameters.Branch))
        {
            return (parameters.Branch, project.Ref == parameters.Project.Ref ? "zuul branch" : "zuul branch (required project)");
        }
        if (Exists(project.DefaultBranch))
        {
            return (project.DefaultBranch, "project default branch");
        }
        var first = refs.Keys.FirstOrDefault(k => k.StartsWith("refs/heads/", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"Project {project.Name} has no branches");
        return (first["refs/heads/".Length..], "first branch");
    }
}

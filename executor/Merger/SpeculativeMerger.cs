using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gating.Executor.Git;
using Gating.Model;

namespace Gating.Executor.Merger;

/// <summary>
/// Merges a sequence of changes, each on top of the speculative result so far for its project and branch (or the
/// branch tip of the start state), with the item's merge mode. Author and committer identity and dates are pinned
/// to the configured time, so independent mergers produce identical commit ids. The first item that fails to merge
/// stops the sequence and is reported as the conflict.
/// </summary>
public sealed partial class SpeculativeMerger
{
    private readonly GitRunner _git;
    private readonly IRepositoryLocator _locator;

    /// <summary>Creates a merger that fetches changes from the upstream URLs of <paramref name="locator"/>.</summary>
    public SpeculativeMerger(GitRunner git, IRepositoryLocator locator)
    {
        _git = git;
        _locator = locator;
    }

    /// <summary>
    /// Merges <paramref name="items"/> in the prepared repositories <paramref name="repoPaths"/>, starting from
    /// <paramref name="startState"/> (which must hold every item's project).
    /// </summary>
    public async Task<MergeOutcome> MergeAsync(
        IReadOnlyDictionary<ProjectRef, string> repoPaths,
        IReadOnlyList<MergeItem> items,
        MergeRepoState startState,
        DateTimeOffset configuredTime,
        CancellationToken cancellationToken)
    {
        var heads = ImmutableDictionary.CreateBuilder<ProjectBranch, string>();
        var itemCommits = ImmutableArray.CreateBuilder<string>(items.Count);
        var env = PinnedEnvironment(configuredTime);
        for (var index = 0; index < items.Count; index++)
        {
            var item = items[index];
            var project = new ProjectRef(item.Connection, item.Project);
            var key = new ProjectBranch(project, item.Branch);
            var path = repoPaths[project];
            if (!heads.TryGetValue(key, out var baseSha))
            {
                var refs = startState.For(project);
                if (refs is null || !refs.TryGetValue("refs/heads/" + item.Branch, out baseSha))
                {
                    return Conflict(index, $"Branch {item.Branch} of {project} does not exist", heads, itemCommits);
                }
            }
            try
            {
                var target = await ResolveTargetAsync(path, project, item, cancellationToken).ConfigureAwait(false);
                var result = target is null
                    ? baseSha
                    : await ApplyAsync(path, item, baseSha, target, env, cancellationToken).ConfigureAwait(false);
                heads[key] = result;
                itemCommits.Add(result);
                // Keep every intermediate result referenced, so no gc can drop it while builds still use it.
                await _git.RunAsync(path, ["update-ref", SpeculativeRef(key), result], cancellationToken).ConfigureAwait(false);
            }
            catch (GitException e) when (!e.IsTransient)
            {
                await ResetAsync(path, cancellationToken).ConfigureAwait(false);
                return Conflict(index, e.Message, heads, itemCommits);
            }
        }
        return new MergeOutcome(true, null, null, heads.ToImmutable(), itemCommits.ToImmutable());
    }

    /// <summary>The ref that keeps a project branch's speculative head alive in a working repository.</summary>
    public static string SpeculativeRef(ProjectBranch key)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key.Branch)))[..16];
        return $"refs/gating/speculative/{hash}";
    }

    private static MergeOutcome Conflict(int index, string detail, ImmutableDictionary<ProjectBranch, string>.Builder heads, ImmutableArray<string>.Builder commits) =>
        new(false, index, detail, heads.ToImmutable(), commits.ToImmutable());

    private async Task<string?> ResolveTargetAsync(string path, ProjectRef project, MergeItem item, CancellationToken cancellationToken)
    {
        if (item.Ref is null || item.Ref.StartsWith("refs/heads/", StringComparison.Ordinal) && item.Commit is null)
        {
            return item.Commit;
        }
        if (item.Commit is not null
            && (await _git.RunAsync(path, ["cat-file", "-e", item.Commit + "^{commit}"], null, check: false, cancellationToken).ConfigureAwait(false)).ExitCode == 0)
        {
            return item.Commit; // already here (a build's workspace clones a cache that fetched it): no second fetch
        }
        await _git.RunAsync(path, ["fetch", "-q", "--no-tags", _locator.UrlOf(project), item.Ref], cancellationToken).ConfigureAwait(false);
        var fetched = (await _git.RunAsync(path, ["rev-parse", "FETCH_HEAD"], cancellationToken).ConfigureAwait(false)).Text;
        return item.Commit ?? fetched;
    }

    private async Task ResetAsync(string path, CancellationToken cancellationToken)
    {
        // Whatever state the failed command left (a half merge, a stopped rebase) must not leak into the next item.
        foreach (var args in new[] { new[] { "merge", "--abort" }, ["cherry-pick", "--abort"], ["rebase", "--abort"], ["reset", "-q", "--hard"], ["clean", "-qfdx"] })
        {
            await _git.RunAsync(path, args, null, check: false, cancellationToken).ConfigureAwait(false);
        }
    }

    private Dictionary<string, string?> PinnedEnvironment(DateTimeOffset time)
    {
        // git rejects dates before 1970; an unset configured time (default) pins to the epoch instead.
        var date = string.Create(CultureInfo.InvariantCulture, $"@{Math.Max(0, time.ToUnixTimeSeconds())} +0000");
        var options = _git.Options;
        return new Dictionary<string, string?>
        {
            ["GIT_AUTHOR_NAME"] = options.CommitterName,
            ["GIT_AUTHOR_EMAIL"] = options.CommitterEmail,
            ["GIT_AUTHOR_DATE"] = date,
            ["GIT_COMMITTER_NAME"] = options.CommitterName,
            ["GIT_COMMITTER_EMAIL"] = options.CommitterEmail,
            ["GIT_COMMITTER_DATE"] = date,
        };
    }
}

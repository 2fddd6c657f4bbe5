using Gating.Model;

namespace Gating.Executor.Merger;

public sealed partial class SpeculativeMerger
{
    /// <summary>Puts <paramref name="target"/> on top of <paramref name="baseSha"/> as the item's mode says; returns the new head.</summary>
    private async Task<string> ApplyAsync(
        string path, MergeItem item, string baseSha, string target, IReadOnlyDictionary<string, string?> env, CancellationToken cancellationToken)
    {
        var message = $"Merge '{item.Ref ?? target}'";
        switch (item.Mode)
        {
            case MergeMode.Merge:
                return await MergeAsync(path, baseSha, target, null, message, env, cancellationToken).ConfigureAwait(false);
            case MergeMode.MergeResolve:
                return await MergeAsync(path, baseSha, target, "resolve", message, env, cancellationToken).ConfigureAwait(false);
            case MergeMode.MergeRecursive:
                return await MergeAsync(path, baseSha, target, "recursive", message, env, cancellationToken).ConfigureAwait(false);
            case MergeMode.MergeOrt:
                return await MergeAsync(path, baseSha, target, "ort", message, env, cancellationToken).ConfigureAwait(false);
            case MergeMode.CherryPick:
                return await CherryPickAsync(path, baseSha, target, message, env, cancellationToken).ConfigureAwait(false);
            case MergeMode.SquashMerge:
                await CheckoutAsync(path, baseSha, cancellationToken).ConfigureAwait(false);
                await _git.RunAsync(path, ["merge", "-q", "--squash", target], env, check: true, cancellationToken).ConfigureAwait(false);
                await _git.RunAsync(path, ["commit", "-q", "--allow-empty", "-m", $"Squashed '{item.Ref ?? target}'"], env, check: true, cancellationToken).ConfigureAwait(false);
                return await HeadAsync(path, cancellationToken).ConfigureAwait(false);
            case MergeMode.Rebase:
                await CheckoutAsync(path, target, cancellationToken).ConfigureAwait(false);
                await _git.RunAsync(path, ["rebase", "-q", baseSha], env, check: true, cancellationToken).ConfigureAwait(false);
                return await HeadAsync(path, cancellationToken).ConfigureAwait(false);
            default:
                throw new ArgumentOutOfRangeException(nameof(item), item.Mode, "unknown merge mode");
        }
    }

    private async Task<string> MergeAsync(
        string path, string baseSha, string target, string? strategy, string message, IReadOnlyDictionary<string, string?> env, CancellationToken cancellationToken)
    {
        await CheckoutAsync(path, baseSha, cancellationToken).ConfigureAwait(false);
        List<string> args = ["merge", "-q", "--no-edit", "-m", message];
        if (strategy is not null)
        {
            args.AddRange(["-s", strategy]);
        }
        args.Add(target);
        await _git.RunAsync(path, args, env, check: true, cancellationToken).ConfigureAwait(false);
        return await HeadAsync(path, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> CherryPickAsync(
        string path, string baseSha, string target, string message, IReadOnlyDictionary<string, string?> env, CancellationToken cancellationToken)
    {
        var parents = (await _git.RunAsync(path, ["rev-list", "--parents", "-n1", target], cancellationToken).ConfigureAwait(false)).Text
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parents.Length > 2)
        {
            // A merge commit cannot be cherry-picked without a mainline; Zuul falls back to merge-resolve.
            return await MergeAsync(path, baseSha, target, "resolve", message, env, cancellationToken).ConfigureAwait(false);
        }
        await CheckoutAsync(path, baseSha, cancellationToken).ConfigureAwait(false);
        await _git.RunAsync(path, ["cherry-pick", "--keep-redundant-commits", "--allow-empty", target], env, check: true, cancellationToken).ConfigureAwait(false);
        var head = await HeadAsync(path, cancellationToken).ConfigureAwait(false);
        var trees = await _git.RunAsync(path, ["rev-parse", "HEAD^{tree}", "HEAD~1^{tree}"], cancellationToken).ConfigureAwait(false);
        // A change that is already applied gives an empty commit: drop it, as Zuul does.
        return trees.Lines[0] == trees.Lines[1] ? baseSha : head;
    }

    private Task CheckoutAsync(string path, string sha, CancellationToken cancellationToken) =>
        _git.RunAsync(path, ["checkout", "-q", "-f", "--detach", sha], cancellationToken);

    private async Task<string> HeadAsync(string path, CancellationToken cancellationToken) =>
        (await _git.RunAsync(path, ["rev-parse", "HEAD"], cancellationToken).ConfigureAwait(false)).Text;
}

namespace Gating.Model;

/// <summary>How a change is put on top of the speculative state of its branch (Zuul's project <c>merge-mode</c>).</summary>
public enum MergeMode
{
    /// <summary><c>git merge</c> with git's default strategy; fast-forwards when possible.</summary>
    Merge,
    /// <summary><c>git merge -s resolve</c> (Gerrit's default).</summary>
    MergeResolve,
    /// <summary><c>git merge -s recursive</c>.</summary>
    MergeRecursive,
    /// <summary><c>git merge -s ort</c>.</summary>
    MergeOrt,
    /// <summary><c>git cherry-pick</c>; a merge commit falls back to <see cref="MergeResolve"/>.</summary>
    CherryPick,
    /// <summary><c>git merge --squash</c> followed by one commit.</summary>
    SquashMerge,
    /// <summary>The change's commits rebased onto the speculative base.</summary>
    Rebase,
}

/// <summary>Zuul's spelling of the merge modes, as written in configuration and build parameters.</summary>
public static class MergeModeNames
{
    /// <summary>The configuration name of <paramref name="mode"/> (for example <c>merge-resolve</c>).</summary>
    public static string ToName(this MergeMode mode) => mode switch
    {
        MergeMode.Merge => "merge",
        MergeMode.MergeResolve => "merge-resolve",
        MergeMode.MergeRecursive => "merge-recursive",
        MergeMode.MergeOrt => "merge-ort",
        MergeMode.CherryPick => "cherry-pick",
        MergeMode.SquashMerge => "squash-merge",
        MergeMode.Rebase => "rebase",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>Parses a configuration name; false when it is not a merge mode.</summary>
    public static bool TryParse(string name, out MergeMode mode)
    {
        foreach (var candidate in Enum.GetValues<MergeMode>())
        {
            if (candidate.ToName() == name)
            {
                mode = candidate;
                return true;
            }
        }
        mode = default;
        return false;
    }
}

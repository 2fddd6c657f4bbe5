using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>Where a change stands in its review system.</summary>
public enum ChangeStatus
{
    /// <summary>Under review.</summary>
    Open,
    /// <summary>Merged (or a ref that already exists: branch and tag items).</summary>
    Merged,
    /// <summary>Abandoned or closed without merging.</summary>
    Abandoned,
}

/// <summary>A vote on a change.</summary>
/// <param name="Label">Label name (<c>Code-Review</c>, <c>Workflow</c>, <c>Verified</c>).</param>
/// <param name="Value">The vote.</param>
/// <param name="By">Who voted (user name).</param>
public sealed record Approval(string Label, int Value, string By);

/// <summary>
/// A change (or ref) as the source reported it at one moment: a snapshot, never updated in place. A new
/// patchset, approval or status is a new <see cref="Change"/> carried by an event.
/// </summary>
public sealed record Change
{
    /// <summary>The stable identity.</summary>
    public required ChangeKey Key { get; init; }

    /// <summary>The target branch (null for tags and other refs).</summary>
    public string? Branch { get; init; }

    /// <summary>Change number for review changes; null for refs.</summary>
    public int? Number { get; init; }

    /// <summary>Patchset for review changes; null for refs.</summary>
    public string? Patchset { get; init; }

    /// <summary>The ref (<c>refs/changes/..</c> for changes, <c>refs/heads/..</c> or <c>refs/tags/..</c> for refs).</summary>
    public string? Ref { get; init; }

    /// <summary>Old revision of a ref update.</summary>
    public string? OldRev { get; init; }

    /// <summary>New revision of a ref update.</summary>
    public string? NewRev { get; init; }

    /// <summary>Changes named by <c>Depends-On</c> footers (any connection).</summary>
    public ImmutableArray<ChangeKey> DependsOn { get; init; } = [];

    /// <summary>Unmerged git parents in the same repository, nearest first.</summary>
    public ImmutableArray<ChangeKey> GitParents { get; init; } = [];

    /// <summary>The review topic, if any.</summary>
    public string? Topic { get; init; }

    /// <summary>Open, merged or abandoned.</summary>
    public ChangeStatus Status { get; init; } = ChangeStatus.Open;

    /// <summary>False when a newer patchset exists.</summary>
    public bool IsCurrentPatchset { get; init; } = true;

    /// <summary>The source says the change could be submitted once the pipeline votes (<c>canMerge</c>).</summary>
    public bool CanMerge { get; init; } = true;

    /// <summary>The change edits Zuul configuration files.</summary>
    public bool UpdatesConfig { get; init; }

    /// <summary>Votes on the current patchset.</summary>
    public ImmutableArray<Approval> Approvals { get; init; } = [];

    /// <summary>Web URL of the change.</summary>
    public string? Url { get; init; }

    /// <summary>The patchset, or the new revision for refs: which version of <see cref="Key"/> this is.</summary>
    public string Revision => Patchset ?? NewRev ?? "";

    /// <summary>This version as a value.</summary>
    public ChangeRevision Version => new(Key, Revision);

    /// <summary>True for review changes, false for branch/tag/ref items.</summary>
    public bool IsChange => Number is not null;

    /// <summary>Everything this change needs: Depends-On then git parents, each once.</summary>
    public IEnumerable<ChangeKey> Needs => DependsOn.Concat(GitParents).Distinct();

    /// <summary><c>42,3</c> for changes, <c>refs/heads/main abc123</c> for refs.</summary>
    public override string ToString() => IsChange ? $"{Number},{Patchset}" : $"{Ref} {NewRev}";
}

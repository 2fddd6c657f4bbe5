using System.Collections.Immutable;

namespace Gating.Scheduler.Sources;

/// <summary>The driver-neutral kinds of review events (Gerrit's names; GitLab drivers map onto them).</summary>
public static class ConnectionEventTypes
{
    /// <summary>A new patchset (or change) was uploaded.</summary>
    public const string PatchsetCreated = "patchset-created";
    /// <summary>A comment, possibly with votes.</summary>
    public const string CommentAdded = "comment-added";
    /// <summary>The change was abandoned.</summary>
    public const string ChangeAbandoned = "change-abandoned";
    /// <summary>The change was restored.</summary>
    public const string ChangeRestored = "change-restored";
    /// <summary>The change merged.</summary>
    public const string ChangeMerged = "change-merged";
    /// <summary>A ref moved (branch push, tag).</summary>
    public const string RefUpdated = "ref-updated";
    /// <summary>A timer trigger fired (no change).</summary>
    public const string Timer = "timer";
}

/// <summary>
/// A review-system event as a driver reports it, before any tenant looks at it (reference §1.2 "connection event").
/// Drivers put these on <c>ZkPaths.ConnectionEvents(connection)</c>; the scheduler turns them into trigger events.
/// </summary>
/// <param name="Type">One of <see cref="ConnectionEventTypes"/>.</param>
/// <param name="Connection">The connection that saw it.</param>
/// <param name="Project">The project.</param>
/// <param name="Branch">The change's target branch, or the branch of a ref update.</param>
/// <param name="Change">The change number, for change events.</param>
/// <param name="Patchset">The patchset, for change events.</param>
/// <param name="Ref">The ref of a ref update (<c>refs/heads/x</c>, <c>refs/tags/y</c>).</param>
/// <param name="OldRev">A ref update's old revision.</param>
/// <param name="NewRev">A ref update's new revision.</param>
/// <param name="Comment">The comment text of comment-added.</param>
/// <param name="Approvals">The votes that came with comment-added, label -> value.</param>
/// <param name="Account">Who did it.</param>
/// <param name="Pipeline">For timer events: the pipeline whose timer fired (timer triggers are per pipeline).</param>
/// <param name="Id">The event id (Zuul's <c>zuul_event_id</c>).</param>
public sealed record ConnectionEvent(
    string Type,
    string Connection,
    string Project,
    string? Branch = null,
    int? Change = null,
    string? Patchset = null,
    string? Ref = null,
    string? OldRev = null,
    string? NewRev = null,
    string? Comment = null,
    ImmutableDictionary<string, int>? Approvals = null,
    string? Account = null,
    string? Pipeline = null,
    string? Id = null)
{
    /// <summary>True for events about a review change (not a ref or a timer).</summary>
    public bool IsChangeEvent => Change is not null;
}

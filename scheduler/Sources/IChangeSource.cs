using System.Collections.Immutable;
using Gating.Model;

namespace Gating.Scheduler.Sources;

/// <summary>
/// What the scheduler asks a review system about changes (Zuul's source): the current version of a change or
/// ref, and the changes that name a change as needed. Gerrit, GitLab and git drivers implement it; the test kit's
/// fake review system does too.
/// </summary>
public interface IChangeSource
{
    /// <summary>The connection name this source serves.</summary>
    string Connection { get; }

    /// <summary>The change's current version (approvals, status, needs), or null when unknown.</summary>
    Task<Change?> GetChangeAsync(ChangeKey key, CancellationToken cancellationToken);

    /// <summary>A ref (branch or tag) as a ref item, at <paramref name="newRev"/> or its current tip.</summary>
    Task<Change> GetRefAsync(string project, string gitRef, string? oldRev, string? newRev, CancellationToken cancellationToken);

    /// <summary>Open changes that need <paramref name="key"/> (Depends-On footers naming it, git children).</summary>
    Task<ImmutableArray<ChangeKey>> GetNeededByAsync(ChangeKey key, CancellationToken cancellationToken);

    /// <summary>Open changes with <paramref name="topic"/>.</summary>
    Task<ImmutableArray<ChangeKey>> GetTopicChangesAsync(string topic, CancellationToken cancellationToken);

    /// <summary>The files a change's current patchset touches (for file matchers); empty for refs.</summary>
    Task<ImmutableArray<string>> GetFilesChangedAsync(Change change, CancellationToken cancellationToken);
}

/// <summary>One report to send: the comment and the votes of one reporter list.</summary>
/// <param name="Pipeline">The reporting pipeline.</param>
/// <param name="Changes">The changes reported on.</param>
/// <param name="Message">The comment.</param>
/// <param name="Votes">Label -> value to set.</param>
/// <param name="Key">A key unique to this report: a reporter that sees it again must not report twice.</param>
public sealed record ReportMessage(string Pipeline, ImmutableArray<ChangeKey> Changes, string Message, ImmutableDictionary<string, int> Votes, string Key);

/// <summary>Sends reports and submits changes on a review system (Zuul's reporter).</summary>
public interface IReporter
{
    /// <summary>The connection name this reporter serves.</summary>
    string Connection { get; }

    /// <summary>Posts a comment with votes; idempotent per <see cref="ReportMessage.Key"/>.</summary>
    Task ReportAsync(ReportMessage report, CancellationToken cancellationToken);

    /// <summary>Merges the changes in order; true when all of them are merged (also when they already were).</summary>
    Task<SubmitOutcome> SubmitAsync(ImmutableArray<ChangeKey> changes, string key, CancellationToken cancellationToken);
}

/// <summary>The result of a submit.</summary>
/// <param name="Merged">Every change is merged.</param>
/// <param name="Message">Why not.</param>
public sealed record SubmitOutcome(bool Merged, string? Message = null);

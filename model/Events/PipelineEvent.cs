using System.Collections.Immutable;

namespace Gating.Model.Events;

/// <summary>Something that happened that a pipeline must react to. Events are processed one at a time, in order.</summary>
public abstract record PipelineEvent
{
    /// <summary>Id for tracing (Zuul's <c>zuul_event_id</c>).</summary>
    public string? EventId { get; init; }
}

/// <summary>The changes an event's change is related to, as the source resolved them (reference §3.7).</summary>
/// <param name="Changes">Every change reachable through needs (Depends-On, git parents, topic), keyed by identity.</param>
/// <param name="NeededBy">Changes that need the event's change (enqueued behind it in dependent pipelines).</param>
public sealed record ChangeGraph(ImmutableDictionary<ChangeKey, Change> Changes, ImmutableArray<ChangeKey> NeededBy)
{
    /// <summary>No related changes.</summary>
    public static readonly ChangeGraph None = new(ImmutableDictionary<ChangeKey, Change>.Empty, []);

    /// <summary>A graph of the given changes.</summary>
    public static ChangeGraph Of(IEnumerable<Change> changes, IEnumerable<ChangeKey>? neededBy = null) =>
        new(changes.ToImmutableDictionary(c => c.Key), neededBy?.ToImmutableArray() ?? []);
}

/// <summary>A trigger event that matched this pipeline: enqueue the change (reference §3.2 <c>addChange</c>).</summary>
/// <param name="Change">The change.</param>
/// <param name="Graph">Its related changes.</param>
public sealed record TriggerEvent(Change Change, ChangeGraph Graph) : PipelineEvent;

/// <summary>A new patchset was uploaded (the old items may be dequeued, reference §3.2 step 2).</summary>
/// <param name="Change">The new version.</param>
public sealed record NewPatchsetEvent(Change Change) : PipelineEvent;

/// <summary>A change was abandoned (its items leave; items needing it fail).</summary>
/// <param name="Change">The abandoned version.</param>
public sealed record ChangeAbandonedEvent(Change Change) : PipelineEvent;

/// <summary>The source refreshed some changes (approvals, status, messages); requirements are re-checked.</summary>
/// <param name="Changes">The new versions.</param>
public sealed record ChangesUpdatedEvent(ImmutableArray<Change> Changes) : PipelineEvent;

/// <summary>Another pipeline that supercedes this one enqueued the change: remove it here.</summary>
/// <param name="Change">The change (and revision) to remove.</param>
public sealed record SupercedeEvent(ChangeRevision Change) : PipelineEvent;

/// <summary>The merger finished the speculative merge of a buildset.</summary>
/// <param name="BuildSetId">The buildset.</param>
/// <param name="RepoState">Project-branch to commit.</param>
public sealed record MergeCompletedEvent(string BuildSetId, ImmutableDictionary<string, string> RepoState) : PipelineEvent;

/// <summary>The speculative merge failed (a conflict).</summary>
/// <param name="BuildSetId">The buildset.</param>
public sealed record MergeConflictEvent(string BuildSetId) : PipelineEvent;

/// <summary>The layout was computed and the job graph frozen for a buildset.</summary>
/// <param name="BuildSetId">The buildset.</param>
/// <param name="Graph">The graph (empty: no jobs).</param>
/// <param name="FailFast">The project's <c>fail-fast</c>.</param>
/// <param name="ProjectInPipeline">False when no project of the item has this pipeline at all (NO_JOBS, quietly).</param>
/// <param name="Warnings">Non-blocking configuration warnings.</param>
public sealed record JobGraphReadyEvent(
    string BuildSetId, JobGraph Graph, bool FailFast = false, bool ProjectInPipeline = true, ImmutableArray<string> Warnings = default) : PipelineEvent;

/// <summary>The item's configuration (or freezing its job graph) has errors.</summary>
/// <param name="BuildSetId">The buildset.</param>
/// <param name="Errors">Messages to report.</param>
public sealed record JobGraphErrorEvent(string BuildSetId, ImmutableArray<string> Errors) : PipelineEvent;

/// <summary>A node request was fulfilled.</summary>
/// <param name="RequestId">The request.</param>
/// <param name="Nodes">Node ids.</param>
public sealed record NodesProvisionedEvent(string RequestId, ImmutableArray<string> Nodes) : PipelineEvent;

/// <summary>A node request failed.</summary>
/// <param name="RequestId">The request.</param>
public sealed record NodesFailedEvent(string RequestId) : PipelineEvent;

/// <summary>An executor started a build.</summary>
/// <param name="BuildId">The build.</param>
/// <param name="Url">Log or stream URL.</param>
public sealed record BuildStartedEvent(string BuildId, string? Url = null) : PipelineEvent;

/// <summary>A build paused with <c>zuul_return</c> data; its children may now run.</summary>
/// <param name="BuildId">The build.</param>
/// <param name="Data">The returned data.</param>
public sealed record BuildPausedEvent(string BuildId, VarMap Data) : PipelineEvent
{
    /// <summary><c>zuul_return</c> secret data (passed to children like secrets); null when none.</summary>
    public VarMap? SecretData { get; init; }
}

/// <summary>A build ended. A null <paramref name="Result"/> (or ABORTED) means retry (reference §3.12).</summary>
/// <param name="BuildId">The build.</param>
/// <param name="Result">Result string, or null for a retryable failure.</param>
/// <param name="Data"><c>zuul_return</c> data.</param>
/// <param name="ErrorDetail">Executor error detail.</param>
/// <param name="Url">Log URL.</param>
public sealed record BuildCompletedEvent(
    string BuildId, string? Result, VarMap? Data = null, string? ErrorDetail = null, string? Url = null) : PipelineEvent
{
    /// <summary><c>zuul_return</c> secret data (passed to children like secrets); null when none.</summary>
    public VarMap? SecretData { get; init; }

    /// <summary>Warnings from <c>zuul_return</c> and the executor.</summary>
    public ImmutableArray<string> Warnings { get; init; } = [];
}

/// <summary>The submit of a reported item's changes finished.</summary>
/// <param name="ItemId">The item.</param>
/// <param name="Merged">Every change is merged at the source.</param>
/// <param name="Message">Why not, when it did not merge.</param>
public sealed record SubmitCompletedEvent(string ItemId, bool Merged, string? Message = null) : PipelineEvent;

/// <summary>Operator enqueue: requirements bypassed, manager checks still apply (reference §9.1).</summary>
/// <param name="Change">The change or ref.</param>
/// <param name="Graph">Its related changes.</param>
public sealed record EnqueueEvent(Change Change, ChangeGraph Graph) : PipelineEvent;

/// <summary>Operator dequeue of a change or ref.</summary>
/// <param name="Change">The change and revision.</param>
public sealed record DequeueEvent(ChangeRevision Change) : PipelineEvent;

/// <summary>Operator promote: these changes go to the front, in order (dependent pipelines).</summary>
/// <param name="Changes">The changes.</param>
public sealed record PromoteEvent(ImmutableArray<ChangeKey> Changes) : PipelineEvent;

/// <summary>A semaphore was released elsewhere (another pipeline); waiting jobs may try again.</summary>
/// <param name="Semaphore">The semaphore name.</param>
public sealed record SemaphoreReleasedEvent(string Semaphore) : PipelineEvent;

/// <summary>
/// A merger request finished (success, conflict or error): the runtime reads the result data of request
/// <paramref name="RequestId"/> and turns it into <see cref="MergeCompletedEvent"/>/<see cref="MergeConflictEvent"/>
/// or a file list. Never given to the pipeline core as is.
/// </summary>
/// <param name="RequestId">The merger request's uuid.</param>
/// <param name="JobType">The merger job type.</param>
/// <param name="BuildSetId">The buildset, when the request was for one.</param>
/// <param name="Error">Set when the merger could not do the job at all (not a conflict).</param>
public sealed record MergeJobCompletedEvent(string RequestId, Requests.MergeJobType JobType, string? BuildSetId = null, string? Error = null) : PipelineEvent;

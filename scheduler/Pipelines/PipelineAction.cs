using System.Collections.Immutable;
using Gating.Model;

namespace Gating.Scheduler.Pipelines;

/// <summary>Something the runtime must do after the core handled an event. Actions are data; an applier carries them out.</summary>
public abstract record PipelineAction;

/// <summary>Ask a merger for the speculative merge of <paramref name="Changes"/> (items ahead first, this item last).</summary>
public sealed record RequestMerge(string ItemId, string BuildSetId, ImmutableArray<Change> Changes, int Precedence) : PipelineAction;

/// <summary>Compute the layout for the speculative state and freeze the item's job graph; answer with a job graph event.</summary>
/// <param name="ItemId">The item.</param>
/// <param name="BuildSetId">The buildset.</param>
/// <param name="Changes">The speculative state: the changes of the items ahead, then the item's own.</param>
/// <param name="RepoState">The merged commits.</param>
/// <param name="ItemChanges">How many of <paramref name="Changes"/> (the last ones) are the item's own: jobs are frozen for each (a cycle).</param>
public sealed record FreezeJobGraph(
    string ItemId, string BuildSetId, ImmutableArray<Change> Changes, ImmutableDictionary<string, string> RepoState, int ItemChanges = 1) : PipelineAction
{
    /// <summary>The item's own changes, in item order (a method, so it is not part of the wire form).</summary>
    public ImmutableArray<Change> OwnChanges() => Changes.IsDefaultOrEmpty ? [] : Changes[^Math.Clamp(ItemChanges, 1, Changes.Length)..];
}

/// <summary>Ask nodepool for the nodes of one job.</summary>
public sealed record RequestNodes(
    string RequestId, string ItemId, string BuildSetId, string Job, FrozenNodeset Nodeset, int Precedence, int RelativePriority) : PipelineAction;

/// <summary>Withdraw a node request.</summary>
public sealed record CancelNodeRequest(string RequestId) : PipelineAction;

/// <summary>Give provisioned nodes back (their build will not run).</summary>
public sealed record ReturnNodes(ImmutableArray<string> Nodes) : PipelineAction;

/// <summary>Submit a build request to the executors.</summary>
/// <param name="BuildId">The build (and request) id.</param>
/// <param name="ItemId">The item.</param>
/// <param name="BuildSetId">The buildset.</param>
/// <param name="Job">The frozen job.</param>
/// <param name="Speculative">The speculative state the build tests: changes ahead, then the item's.</param>
/// <param name="RepoState">The merged commits.</param>
/// <param name="Nodes">Provisioned nodes.</param>
/// <param name="ParentData"><c>zuul_return</c> data of the job's ancestors (later ones win).</param>
/// <param name="Precedence">Request precedence.</param>
/// <param name="Attempt">1 for the first attempt.</param>
/// <param name="Change">In a cycle item, the change the build is for (its <c>zuul.change</c>); null: the item's change.</param>
/// <param name="JobKey">In a cycle item, the job's key in the job graph when it is not the job's name.</param>
public sealed record StartBuild(
    string BuildId, string ItemId, string BuildSetId, FrozenJob Job, ImmutableArray<ChangeRevision> Speculative,
    ImmutableDictionary<string, string> RepoState, ImmutableArray<string> Nodes, VarMap ParentData, int Precedence, int Attempt,
    ChangeKey? Change = null, string? JobKey = null) : PipelineAction;

/// <summary>Cancel a build request or running build.</summary>
public sealed record CancelBuild(string BuildId) : PipelineAction;

/// <summary>Resume a paused build (its children finished).</summary>
public sealed record ResumeBuild(string BuildId) : PipelineAction;

/// <summary>Which reporter list a report goes through (reference §2.3).</summary>
public enum ReportKind
{
    /// <summary><c>enqueue</c>.</summary>
    Enqueue,
    /// <summary><c>start</c>.</summary>
    Start,
    /// <summary><c>success</c>.</summary>
    Success,
    /// <summary><c>failure</c>.</summary>
    Failure,
    /// <summary><c>merge-conflict</c> (falls back to failure).</summary>
    MergeConflict,
    /// <summary><c>config-error</c> (falls back to failure).</summary>
    ConfigError,
    /// <summary><c>no-jobs</c>.</summary>
    NoJobs,
    /// <summary><c>dequeue</c>.</summary>
    Dequeue,
    /// <summary><c>disabled</c>.</summary>
    Disabled,
}

/// <summary>Send a report (vote and comment) for the item's changes through the reporters of <paramref name="Reporters"/>.</summary>
/// <param name="Kind">The pipeline action that decided it.</param>
/// <param name="Reporters">The reporter list to use (after fallbacks), e.g. <c>failure</c> for a merge conflict without its own reporters.</param>
/// <param name="ItemId">The item, or null for a refusal of a change that never entered.</param>
/// <param name="Changes">The changes reported on.</param>
/// <param name="Message">The full message.</param>
/// <param name="Result">The item result (<see cref="BuildResults"/>), or null for enqueue/start reports.</param>
public sealed record Report(ReportKind Kind, string Reporters, string? ItemId, ImmutableArray<Change> Changes, string Message, string? Result) : PipelineAction;

/// <summary>Submit (merge) the item's changes at the source; answered with <c>SubmitCompletedEvent</c>.</summary>
public sealed record Submit(string ItemId, ImmutableArray<Change> Changes) : PipelineAction;

/// <summary>The item left the pipeline with this result (for the database and the status page).</summary>
public sealed record ItemDequeued(string ItemId, string BuildSetId, ImmutableArray<Change> Changes, string Result) : PipelineAction;

/// <summary>Tell another pipeline (<c>supercedes</c>) to drop this change.</summary>
public sealed record SupercedeIn(string Pipeline, ChangeRevision Change) : PipelineAction;

/// <summary>A semaphore was released (other pipelines waiting on it may try again).</summary>
public sealed record SemaphoreReleased(string Semaphore) : PipelineAction;

/// <summary>The new state and what to do.</summary>
/// <param name="State">The pipeline state after the event.</param>
/// <param name="Actions">Actions in the order they must be carried out.</param>
public sealed record PipelineResult(PipelineState State, IReadOnlyList<PipelineAction> Actions);

using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>Progress of an asynchronous step of a buildset (Zuul's NEW / PENDING / COMPLETE).</summary>
public enum StepState
{
    /// <summary>Not asked for yet.</summary>
    New,
    /// <summary>Asked for; the answer is an event.</summary>
    Pending,
    /// <summary>Answered.</summary>
    Complete,
}

/// <summary>One attempt at running one job of a buildset.</summary>
public sealed record Build
{
    /// <summary>Unique build id (also the build request id).</summary>
    public required string Id { get; init; }

    /// <summary>The job's key in the item's job graph (<see cref="JobGraph.KeyAt"/>): its name, except in cycle items.</summary>
    public required string Job { get; init; }

    /// <summary>Where the build stands.</summary>
    public BuildState State { get; init; } = BuildState.Waiting;

    /// <summary>The result once <see cref="BuildState.Completed"/> (see <see cref="BuildResults"/>).</summary>
    public string? Result { get; init; }

    /// <summary>The outstanding node request, if any.</summary>
    public string? NodeRequestId { get; init; }

    /// <summary>Which nodeset alternative is in use (0 = the nodeset itself).</summary>
    public int NodesetAlternative { get; init; }

    /// <summary>Provisioned node ids, held until the build ends.</summary>
    public ImmutableArray<string> Nodes { get; init; } = [];

    /// <summary>Semaphores this build holds.</summary>
    public ImmutableArray<string> Semaphores { get; init; } = [];

    /// <summary><c>zuul_return</c> data (from a pause or the completion).</summary>
    public VarMap ResultData { get; init; } = VarMap.Empty;

    /// <summary>Executor error detail.</summary>
    public string? ErrorDetail { get; init; }

    /// <summary>Log URL.</summary>
    public string? Url { get; init; }

    /// <summary>When the build request was made.</summary>
    public DateTimeOffset? RequestTime { get; init; }

    /// <summary>When the executor started it.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>When it completed.</summary>
    public DateTimeOffset? EndTime { get; init; }

    /// <summary>The scheduler asked the executor to resume it (it was paused).</summary>
    public bool ResumeRequested { get; init; }

    /// <summary>A completed build whose result counts as failed for the graph and the item.</summary>
    public bool Failed => State == BuildState.Completed && Result is not (BuildResults.Success or BuildResults.Skipped);
}

/// <summary>
/// The current attempt at testing an item: the speculative state it was merged with, its job graph and builds.
/// A gate reset replaces the buildset with a new one (new id), so stale results are recognisably stale.
/// </summary>
public sealed record BuildSet
{
    /// <summary>Unique buildset id.</summary>
    public required string Id { get; init; }

    /// <summary>The speculative state: changes of the items ahead (in queue order) then the item's own changes.</summary>
    public ImmutableArray<ChangeRevision> MergerChanges { get; init; } = [];

    /// <summary>The merge request's progress.</summary>
    public StepState MergeState { get; init; } = StepState.New;

    /// <summary>The merger could not merge the speculative state.</summary>
    public bool UnableToMerge { get; init; }

    /// <summary>Per project-branch commits the merge produced (opaque to the scheduler; passed to builds).</summary>
    public ImmutableDictionary<string, string> RepoState { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Layout and job graph progress.</summary>
    public StepState JobGraphState { get; init; } = StepState.New;

    /// <summary>The frozen job graph once ready.</summary>
    public JobGraph? JobGraph { get; init; }

    /// <summary>No project of the item has this pipeline (reported as NO_JOBS).</summary>
    public bool ProjectNotInPipeline { get; init; }

    /// <summary>Blocking configuration errors for this item.</summary>
    public ImmutableArray<string> ConfigErrors { get; init; } = [];

    /// <summary>Non-blocking warnings to report.</summary>
    public ImmutableArray<string> Warnings { get; init; } = [];

    /// <summary>The first voting failure cancels the rest.</summary>
    public bool FailFast { get; init; }

    /// <summary>Current build per job key (the job name, except in cycle items).</summary>
    public ImmutableDictionary<string, Build> Builds { get; init; } = ImmutableDictionary<string, Build>.Empty;

    /// <summary>Earlier attempts that ended in RETRY, oldest first.</summary>
    public ImmutableArray<Build> RetryBuilds { get; init; } = [];

    /// <summary>Attempts started per job key.</summary>
    public ImmutableDictionary<string, int> Tries { get; init; } = ImmutableDictionary<string, int>.Empty;

    /// <summary>Why the item is failing, as of the last queue pass.</summary>
    public ImmutableArray<string> FailingReasons { get; init; } = [];

    /// <summary>The build of the job keyed <paramref name="job"/>, if one exists.</summary>
    public Build? BuildOf(string job) => Builds.TryGetValue(job, out var b) ? b : null;
}

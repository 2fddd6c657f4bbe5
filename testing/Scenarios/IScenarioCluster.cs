using System.Collections.Immutable;

namespace Gating.Testing.Scenarios;

/// <summary>
/// The seam between the scenario runner (testing/Scenarios: YAML format, expectations, `gating scenario run`) and
/// the in-process cluster (testing/Cluster: scheduler runtime on a ZooKeeper store with a fake clock, fake review
/// system, recording executor, merger, node provider). The runner names changes ("A", "B"); the cluster knows
/// them by number. Every mutating call only records the event: <see cref="SettleAsync"/> runs the system until
/// nothing more can happen without outside input.
/// </summary>
public interface IScenarioCluster : IAsyncDisposable
{
    // --- the review system (a Gerrit-like fake; numbers start at 1) ---

    /// <summary>Create a change with its first patchset (no event is sent: Gerrit sends patchset-created).</summary>
    /// <returns>The change number.</returns>
    Task<int> CreateChangeAsync(NewChange change, CancellationToken cancellationToken);

    /// <summary>Upload a new patchset (optionally with other files) and send patchset-created.</summary>
    Task NewPatchsetAsync(int change, ImmutableDictionary<string, string?>? files, CancellationToken cancellationToken);

    /// <summary>Send patchset-created for the current patchset (the first upload, or a re-send).</summary>
    Task SendPatchsetCreatedAsync(int change, CancellationToken cancellationToken);

    /// <summary>Vote <paramref name="value"/> on <paramref name="label"/> and send comment-added with the approval.</summary>
    Task ApproveAsync(int change, string label, int value, string? by, CancellationToken cancellationToken);

    /// <summary>Send comment-added with <paramref name="text"/> (e.g. <c>recheck</c>).</summary>
    Task CommentAsync(int change, string text, string? by, CancellationToken cancellationToken);

    /// <summary>Abandon (change-abandoned).</summary>
    Task AbandonAsync(int change, CancellationToken cancellationToken);

    /// <summary>Restore an abandoned change (change-restored).</summary>
    Task RestoreAsync(int change, CancellationToken cancellationToken);

    /// <summary>Merge from outside Gating: the branch moves, change-merged and ref-updated are sent.</summary>
    Task MergeExternallyAsync(int change, CancellationToken cancellationToken);

    /// <summary>Push a commit (or a tag) to a ref and send ref-updated.</summary>
    Task RefUpdateAsync(string project, string gitRef, ImmutableDictionary<string, string?>? files, CancellationToken cancellationToken);

    /// <summary>Advance the fake clock (timer triggers fire as they come due; timeouts elapse).</summary>
    Task AdvanceTimeAsync(TimeSpan by, CancellationToken cancellationToken);

    // --- operators ---

    /// <summary>Admin enqueue of a change (<c>gating enqueue</c>).</summary>
    Task EnqueueAsync(string pipeline, int change, CancellationToken cancellationToken);

    /// <summary>Admin enqueue of a ref (<c>gating enqueue-ref</c>).</summary>
    Task EnqueueRefAsync(string pipeline, string project, string gitRef, CancellationToken cancellationToken);

    /// <summary>Admin dequeue.</summary>
    Task DequeueAsync(string pipeline, int change, CancellationToken cancellationToken);

    /// <summary>Admin promote: these changes go to the front of their queue, in this order.</summary>
    Task PromoteAsync(string pipeline, ImmutableArray<int> changes, CancellationToken cancellationToken);

    /// <summary>
    /// Replace files of config repositories (or any repository) on their branches directly, as a push that Gating
    /// is not told about, then run a tenant reconfiguration (<c>gating tenant-reconfigure</c>).
    /// </summary>
    Task ReconfigureAsync(ImmutableArray<RepoFiles> changes, CancellationToken cancellationToken);

    // --- workers ---

    /// <summary>How builds matching <paramref name="rule"/>'s selector end (latest rule wins; default SUCCESS).</summary>
    void SetBuildOutcome(BuildOutcomeRule rule);

    /// <summary>Builds that start from now on and match <paramref name="selector"/> wait until released.</summary>
    void HoldBuilds(BuildSelector selector);

    /// <summary>Stop holding new builds matching <paramref name="selector"/> and let held ones finish.</summary>
    Task ReleaseBuildsAsync(BuildSelector selector, CancellationToken cancellationToken);

    /// <summary>The merger reports a conflict for any merge that includes <paramref name="change"/>.</summary>
    void SetMergeConflict(int change, bool conflict = true);

    /// <summary>Node requests for <paramref name="label"/> fail (NODE_FAILURE) while set.</summary>
    void SetNodeFailure(string label, bool fail = true);

    /// <summary>Run until quiet: every queue empty or waiting on a held build or on time.</summary>
    Task SettleAsync(CancellationToken cancellationToken);

    // --- what happened ---

    /// <summary>Completed builds in completion order.</summary>
    IReadOnlyList<BuildRecord> History { get; }

    /// <summary>Builds running now (held builds included), in start order.</summary>
    IReadOnlyList<BuildRecord> RunningBuilds { get; }

    /// <summary>A pipeline's queues now.</summary>
    PipelineSnapshot GetPipeline(string pipeline);

    /// <summary>Current votes on a change, by label (the latest vote of Gating's user on each label).</summary>
    ImmutableDictionary<string, int> GetVotes(int change);

    /// <summary>Changes merged by Gating (submit), in merge order.</summary>
    IReadOnlyList<int> MergedChanges { get; }

    /// <summary>Everything Gating reported on a change (comments and votes), in order.</summary>
    IReadOnlyList<ReportRecord> GetReports(int change);
}

/// <summary>A change to create.</summary>
/// <param name="Project">Project name as in the tenant file.</param>
/// <param name="Branch">Target branch.</param>
/// <param name="Subject">Commit subject.</param>
/// <param name="Files">Files written (a null value deletes the file); none: one generated file.</param>
/// <param name="Parent">A change whose patchset is this change's git parent (same project).</param>
/// <param name="DependsOn">Changes named in <c>Depends-On:</c> footers (any project).</param>
/// <param name="Topic">The review topic.</param>
public sealed record NewChange(
    string Project,
    string Branch = "master",
    string? Subject = null,
    ImmutableDictionary<string, string?>? Files = null,
    int? Parent = null,
    ImmutableArray<int> DependsOn = default,
    string? Topic = null);

/// <summary>Files to set on one repository branch.</summary>
public sealed record RepoFiles(string Project, string Branch, ImmutableDictionary<string, string?> Files);

/// <summary>Which builds a rule applies to; a null field matches anything.</summary>
/// <param name="Job">Job name.</param>
/// <param name="Change">Change number (the build's item's change).</param>
/// <param name="Pipeline">Pipeline name.</param>
public sealed record BuildSelector(string? Job = null, int? Change = null, string? Pipeline = null);

/// <summary>How matching builds end.</summary>
/// <param name="Selector">Which builds.</param>
/// <param name="Result">SUCCESS, FAILURE, TIMED_OUT, POST_FAILURE, NODE_FAILURE handled by <see cref="IScenarioCluster.SetNodeFailure"/>.</param>
/// <param name="RetryAttempts">The first N attempts end as a pre-run failure that Gating retries.</param>
/// <param name="ReturnData"><c>zuul_return</c> data as JSON (an object), or null.</param>
/// <param name="Pause">The build pauses (after returning its data) until its children finish.</param>
/// <param name="Times">The rule applies this many times, then falls away; null: always.</param>
public sealed record BuildOutcomeRule(
    BuildSelector Selector,
    string Result = "SUCCESS",
    int RetryAttempts = 0,
    string? ReturnData = null,
    bool Pause = false,
    int? Times = null);

/// <summary>One build as the recording executor saw it.</summary>
/// <param name="Job">Job name.</param>
/// <param name="Pipeline">Pipeline.</param>
/// <param name="Change">The item's change number (null for ref items).</param>
/// <param name="Patchset">Its patchset.</param>
/// <param name="Ref">The item's ref (branch or tag items).</param>
/// <param name="TestedWith">Every change in the build's speculative state as "number,patchset", in merge order,
/// the build's own change last (Zuul's <c>changes</c> in its build history).</param>
/// <param name="Result">Result; null while running.</param>
/// <param name="Attempt">1 for the first try.</param>
/// <param name="BuildId">The build uuid.</param>
public sealed record BuildRecord(
    string Job,
    string Pipeline,
    int? Change,
    string? Patchset,
    string? Ref,
    ImmutableArray<string> TestedWith,
    string? Result,
    int Attempt,
    string BuildId);

/// <summary>A pipeline's queues.</summary>
public sealed record PipelineSnapshot(string Name, ImmutableArray<QueueSnapshot> Queues);

/// <summary>One change queue, head first.</summary>
/// <param name="Name">Queue name.</param>
/// <param name="Window">Current window (0: unlimited).</param>
/// <param name="Items">Items head first.</param>
public sealed record QueueSnapshot(string Name, int Window, ImmutableArray<ItemSnapshot> Items);

/// <summary>One queue item.</summary>
/// <param name="Changes">Its change numbers (several for a cycle); empty for ref items.</param>
/// <param name="Ref">For ref items, the ref.</param>
/// <param name="Live">Live (false: only there as a dependency of a live item).</param>
/// <param name="Active">Inside the window.</param>
/// <param name="Failing">Known to fail (a failed build, conflict or config error).</param>
public sealed record ItemSnapshot(ImmutableArray<int> Changes, string? Ref, bool Live, bool Active, bool Failing);

/// <summary>One report on a change.</summary>
/// <param name="Pipeline">The reporting pipeline.</param>
/// <param name="Message">The comment text.</param>
/// <param name="Votes">Votes set with it.</param>
public sealed record ReportRecord(string Pipeline, string Message, ImmutableDictionary<string, int> Votes);

/// <summary>Starts clusters; the runner calls this once per scenario.</summary>
public interface IScenarioClusterFactory
{
    /// <summary>Start a cluster for a tenant.</summary>
    /// <param name="setup">The tenant file and the repositories' initial files.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    Task<IScenarioCluster> StartAsync(ClusterSetup setup, CancellationToken cancellationToken);
}

/// <summary>What a cluster starts from.</summary>
/// <param name="TenantYaml">The tenant file's text (one tenant; Zuul's main.yaml shape).</param>
/// <param name="Repos">Each project's initial files on its branches.</param>
/// <param name="Connection">The review system's connection name used in the tenant file.</param>
/// <param name="StartTime">The fake clock's start.</param>
public sealed record ClusterSetup(
    string TenantYaml,
    ImmutableArray<RepoFiles> Repos,
    string Connection = "gerrit",
    DateTimeOffset? StartTime = null);

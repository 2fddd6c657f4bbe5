using System.Collections.Immutable;
using Gating.Testing.Scenarios;

namespace Gating.Scheduler.Tests.Scenarios;

/// <summary>
/// A scripted <see cref="IScenarioCluster"/> for testing the scenario runner (not the scheduler): it records every
/// call as a line and serves whatever state the test sets.
/// </summary>
internal sealed class ScriptedCluster : IScenarioCluster, IScenarioClusterFactory
{
    private int _nextChange = 1;

    public List<string> Calls { get; } = [];

    public ClusterSetup? Setup { get; private set; }

    public int NumberOffset { get; set; }

    public List<BuildRecord> HistoryList { get; } = [];

    public List<BuildRecord> Running { get; } = [];

    public Dictionary<string, PipelineSnapshot> Pipelines { get; } = [];

    public Dictionary<int, ImmutableDictionary<string, int>> Votes { get; } = [];

    public List<int> Merged { get; } = [];

    public Dictionary<int, List<ReportRecord>> Reports { get; } = [];

    /// <summary>Runs when SettleAsync is called (the test's stand-in for the system doing work).</summary>
    public Action<ScriptedCluster>? OnSettle { get; set; }

    public Task<IScenarioCluster> StartAsync(ClusterSetup setup, CancellationToken cancellationToken)
    {
        Setup = setup;
        return Task.FromResult<IScenarioCluster>(this);
    }

    public Task<int> CreateChangeAsync(NewChange change, CancellationToken cancellationToken)
    {
        int n = _nextChange++ + NumberOffset;
        string deps = change.DependsOn.IsDefaultOrEmpty ? "" : " depends-on " + string.Join(",", change.DependsOn);
        Calls.Add($"create {n} {change.Project} {change.Branch}{(change.Parent is { } p ? " parent " + p : "")}{deps}{(change.Topic is { } t ? " topic " + t : "")}");
        return Task.FromResult(n);
    }

    public Task NewPatchsetAsync(int change, ImmutableDictionary<string, string?>? files, CancellationToken cancellationToken) =>
        Record($"new-patchset {change}{(files is null ? "" : " " + string.Join(",", files.Keys.Order()))}");

    public Task SendPatchsetCreatedAsync(int change, CancellationToken cancellationToken) => Record($"upload {change}");

    public Task ApproveAsync(int change, string label, int value, string? by, CancellationToken cancellationToken) =>
        Record($"approve {change} {label} {value}{(by is null ? "" : " by " + by)}");

    public Task CommentAsync(int change, string text, string? by, CancellationToken cancellationToken) => Record($"comment {change} {text}");

    public Task AbandonAsync(int change, CancellationToken cancellationToken) => Record($"abandon {change}");

    public Task RestoreAsync(int change, CancellationToken cancellationToken) => Record($"restore {change}");

    public Task MergeExternallyAsync(int change, CancellationToken cancellationToken) => Record($"merge {change}");

    public Task RefUpdateAsync(string project, string gitRef, ImmutableDictionary<string, string?>? files, CancellationToken cancellationToken) =>
        Record($"ref-update {project} {gitRef}");

    public Task AdvanceTimeAsync(TimeSpan by, CancellationToken cancellationToken) => Record($"advance {by.TotalSeconds}");

    public Task EnqueueAsync(string pipeline, int change, CancellationToken cancellationToken) => Record($"enqueue {pipeline} {change}");

    public Task EnqueueRefAsync(string pipeline, string project, string gitRef, CancellationToken cancellationToken) =>
        Record($"enqueue-ref {pipeline} {project} {gitRef}");

    public Task DequeueAsync(string pipeline, int change, CancellationToken cancellationToken) => Record($"dequeue {pipeline} {change}");

    public Task PromoteAsync(string pipeline, ImmutableArray<int> changes, CancellationToken cancellationToken) =>
        Record($"promote {pipeline} {string.Join(",", changes)}");

    public Task ReconfigureAsync(ImmutableArray<RepoFiles> changes, CancellationToken cancellationToken) =>
        Record("reconfigure " + string.Join(";", changes.Select(c => $"{c.Project}@{c.Branch}:{string.Join(",", c.Files.Keys.Order())}")));

    public void SetBuildOutcome(BuildOutcomeRule rule) =>
        Calls.Add($"outcome {rule.Selector.Job} {rule.Selector.Change} {rule.Result} retries={rule.RetryAttempts} pause={rule.Pause} times={rule.Times} data={rule.ReturnData}");

    public void HoldBuilds(BuildSelector selector) => Calls.Add($"hold {selector.Job} {selector.Change} {selector.Pipeline}");

    public Task ReleaseBuildsAsync(BuildSelector selector, CancellationToken cancellationToken) =>
        Record($"release {selector.Job} {selector.Change} {selector.Pipeline}");

    public void SetMergeConflict(int change, bool conflict = true) => Calls.Add($"merge-conflict {change} {conflict}");

    public void SetNodeFailure(string label, bool fail = true) => Calls.Add($"node-failure {label} {fail}");

    public Task SettleAsync(CancellationToken cancellationToken)
    {
        Calls.Add("settle");
        OnSettle?.Invoke(this);
        return Task.CompletedTask;
    }

    public IReadOnlyList<BuildRecord> History => HistoryList;

    public IReadOnlyList<BuildRecord> RunningBuilds => Running;

    public PipelineSnapshot GetPipeline(string pipeline) =>
        Pipelines.TryGetValue(pipeline, out var p) ? p : new PipelineSnapshot(pipeline, []);

    public ImmutableDictionary<string, int> GetVotes(int change) =>
        Votes.TryGetValue(change, out var v) ? v : ImmutableDictionary<string, int>.Empty;

    public IReadOnlyList<int> MergedChanges => Merged;

    public IReadOnlyList<ReportRecord> GetReports(int change) => Reports.TryGetValue(change, out var r) ? r : [];

    public ValueTask DisposeAsync()
    {
        Calls.Add("dispose");
        return ValueTask.CompletedTask;
    }

    /// <summary>A completed build of a change tested with the changes given (own last).</summary>
    public static BuildRecord Build(string job, int change, string result, params int[] with) =>
        new(job, "gate", change, "1", null, [.. with.Select(c => $"{c},1")], result, 1, Guid.NewGuid().ToString("N"));

    private Task Record(string call)
    {
        Calls.Add(call);
        return Task.CompletedTask;
    }
}

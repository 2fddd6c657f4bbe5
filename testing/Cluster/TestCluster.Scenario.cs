using System.Collections.Immutable;
using Gating.Model;
using Gating.Model.Events;
using Gating.Scheduler.Sources;
using Gating.Scheduler.State;
using Gating.Testing.Scenarios;

namespace Gating.Testing.Cluster;

public sealed partial class TestCluster
{
    private Scheduler.Runtime.Scheduler Primary => _schedulers[0].Scheduler;

    /// <inheritdoc/>
    public Task<int> CreateChangeAsync(NewChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Task.FromResult(Review.CreateChange(change.Project, change.Branch, change.Subject, change.Files, change.Parent, change.DependsOn, change.Topic));
    }

    /// <inheritdoc/>
    public Task NewPatchsetAsync(int change, ImmutableDictionary<string, string?>? files, CancellationToken cancellationToken) =>
        Review.NewPatchsetAsync(change, files, cancellationToken);

    /// <inheritdoc/>
    public Task SendPatchsetCreatedAsync(int change, CancellationToken cancellationToken) => Review.SendPatchsetCreatedAsync(change, cancellationToken);

    /// <inheritdoc/>
    public Task ApproveAsync(int change, string label, int value, string? by, CancellationToken cancellationToken) =>
        Review.ApproveAsync(change, label, value, by, cancellationToken);

    /// <inheritdoc/>
    public Task CommentAsync(int change, string text, string? by, CancellationToken cancellationToken) => Review.CommentAsync(change, text, by, cancellationToken);

    /// <inheritdoc/>
    public Task AbandonAsync(int change, CancellationToken cancellationToken) => Review.AbandonAsync(change, cancellationToken);

    /// <inheritdoc/>
    public Task RestoreAsync(int change, CancellationToken cancellationToken) => Review.RestoreAsync(change, cancellationToken);

    /// <inheritdoc/>
    public Task MergeExternallyAsync(int change, CancellationToken cancellationToken) => Review.MergeExternallyAsync(change, cancellationToken);

    /// <inheritdoc/>
    public Task RefUpdateAsync(string project, string gitRef, ImmutableDictionary<string, string?>? files, CancellationToken cancellationToken) =>
        Review.RefUpdateAsync(project, gitRef, files, cancellationToken);

    /// <inheritdoc/>
    public async Task EnqueueAsync(string pipeline, int change, CancellationToken cancellationToken)
    {
        var current = Review.ToChange(Review[change]);
        var graph = await ChangeGraphResolver.ResolveAsync(current, new Dictionary<string, IChangeSource> { [Connection] = Review }, Primary.Tenant.DependenciesByTopic, cancellationToken);
        await PutManagementAsync(pipeline, new EnqueueEvent(current, graph), cancellationToken);
    }

    /// <inheritdoc/>
    public async Task EnqueueRefAsync(string pipeline, string project, string gitRef, CancellationToken cancellationToken)
    {
        var item = await Review.GetRefAsync(project, gitRef, null, null, cancellationToken);
        await PutManagementAsync(pipeline, new EnqueueEvent(item, ChangeGraph.None), cancellationToken);
    }

    /// <inheritdoc/>
    public Task DequeueAsync(string pipeline, int change, CancellationToken cancellationToken)
    {
        var current = Review.ToChange(Review[change]);
        return PutManagementAsync(pipeline, new DequeueEvent(current.Version), cancellationToken);
    }

    /// <inheritdoc/>
    public Task PromoteAsync(string pipeline, ImmutableArray<int> changes, CancellationToken cancellationToken) =>
        PutManagementAsync(pipeline, new PromoteEvent(changes.Select(c => Review.ToChange(Review[c]).Key).ToImmutableArray()), cancellationToken);

    /// <inheritdoc/>
    public async Task ReconfigureAsync(ImmutableArray<RepoFiles> changes, CancellationToken cancellationToken)
    {
        foreach (var repo in changes)
        {
            Review.Commit(repo.Project, repo.Branch, repo.Files, "Reconfigure");
        }
        foreach (var slot in _schedulers)
        {
            await slot.Scheduler.ReconfigureAsync(cancellationToken);
        }
    }

    private Task PutManagementAsync(string pipeline, PipelineEvent evt, CancellationToken cancellationToken) =>
        Scheduler.Runtime.Scheduler.PutManagementEventAsync(_session, Tenant.Name, pipeline, evt, cancellationToken);

    /// <inheritdoc/>
    public void SetBuildOutcome(BuildOutcomeRule rule) => Executor.SetOutcome(rule);

    /// <inheritdoc/>
    public void HoldBuilds(BuildSelector selector) => Executor.Hold(selector);

    /// <inheritdoc/>
    public Task ReleaseBuildsAsync(BuildSelector selector, CancellationToken cancellationToken)
    {
        Executor.Release(selector);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void SetMergeConflict(int change, bool conflict = true) => Merger.SetConflict(change, conflict);

    /// <inheritdoc/>
    public void SetNodeFailure(string label, bool fail = true) => Nodes.SetFailure(label, fail);

    /// <summary>
    /// Runs the system until nothing more can happen without outside input. The schedulers run until a whole round of
    /// them does nothing; then one worker (merger, node provisioner, executor, in that order) takes one step, and the
    /// schedulers go again. Giving the schedulers priority makes a run's history independent of where a scheduler was
    /// killed: a scheduler killed by a checkpoint is replaced by a fresh instance on the same store, which finishes
    /// the work before any worker moves.
    /// </summary>
    public async Task SettleAsync(CancellationToken cancellationToken)
    {
        for (var round = 0; round < _options.MaxSettleRounds; round++)
        {
            await RunSchedulersUntilQuietAsync(cancellationToken);
            if (await Merger.RunOnceAsync(cancellationToken) || await Nodes.RunOnceAsync(cancellationToken) || await Executor.RunOnceAsync(cancellationToken))
            {
                continue;
            }
            return;
        }
        throw new InvalidOperationException($"the cluster did not settle within {_options.MaxSettleRounds} rounds");
    }

    /// <summary>
    /// Like <see cref="SettleAsync"/> but the executor does not move: every build request written stays requested
    /// (benchmarks measure how fast the schedulers write them).
    /// </summary>
    public async Task SettleWithoutExecutorAsync(CancellationToken cancellationToken)
    {
        for (var round = 0; round < _options.MaxSettleRounds; round++)
        {
            await RunSchedulersUntilQuietAsync(cancellationToken);
            if (await Merger.RunOnceAsync(cancellationToken) || await Nodes.RunOnceAsync(cancellationToken))
            {
                continue;
            }
            return;
        }
        throw new InvalidOperationException($"the cluster did not settle within {_options.MaxSettleRounds} rounds");
    }

    /// <summary>Runs the schedulers until a whole round of them does nothing.</summary>
    public async Task RunSchedulersUntilQuietAsync(CancellationToken cancellationToken)
    {
        for (var round = 0; round < _options.MaxSettleRounds; round++)
        {
            var did = false;
            foreach (var slot in _schedulers)
            {
                try
                {
                    did |= await slot.Scheduler.RunOnceAsync(cancellationToken);
                }
                catch (SchedulerKilledException)
                {
                    KilledCount++;
                    await RestartSchedulerAsync(slot.Index, cancellationToken);
                    did = true;
                }
            }
            if (!did)
            {
                return;
            }
        }
        throw new InvalidOperationException($"the schedulers did not settle within {_options.MaxSettleRounds} rounds");
    }

    /// <summary>How many scheduler instances checkpoints killed (and the cluster replaced).</summary>
    public int KilledCount { get; private set; }

    /// <inheritdoc/>
    public IReadOnlyList<BuildRecord> History => Executor.History;

    /// <inheritdoc/>
    public IReadOnlyList<BuildRecord> RunningBuilds => Executor.RunningBuilds;

    /// <inheritdoc/>
    public PipelineSnapshot GetPipeline(string pipeline)
    {
        var (record, _) = new PipelineStateStore(_session).ReadAsync(Tenant.Name, pipeline, CancellationToken.None).GetAwaiter().GetResult();
        var state = record.State;
        return new PipelineSnapshot(pipeline, state.Queues.Select(q => new QueueSnapshot(q.Name, q.Window, state.ItemsOf(q).Select(i => new ItemSnapshot(
            i.Changes.Where(c => c.IsChange).Select(c => c.Number!.Value).ToImmutableArray(),
            i.Change.IsChange ? null : i.Change.Ref,
            i.Live,
            i.Active,
            !i.BuildSet.FailingReasons.IsEmpty || i.BuildSet.UnableToMerge || !i.BuildSet.ConfigErrors.IsEmpty)).ToImmutableArray())).ToImmutableArray());
    }

    /// <summary>A pipeline's state as stored now.</summary>
    public async Task<PipelineState> GetStateAsync(string pipeline, CancellationToken cancellationToken) =>
        (await new PipelineStateStore(_session).ReadAsync(Tenant.Name, pipeline, cancellationToken)).Record.State;

    /// <inheritdoc/>
    public ImmutableDictionary<string, int> GetVotes(int change) => Review.VotesOn(change);

    /// <inheritdoc/>
    public IReadOnlyList<int> MergedChanges => Review.MergedByGating;

    /// <inheritdoc/>
    public IReadOnlyList<ReportRecord> GetReports(int change) =>
        Review.ReportsOn(change).Select(r => new ReportRecord(r.Pipeline, r.Message, r.Votes)).ToList();

    /// <inheritdoc/>
    public async Task AdvanceTimeAsync(TimeSpan by, CancellationToken cancellationToken)
    {
        var from = Time.GetUtcNow();
        Time.Advance(by);
        await FireTimersAsync(from, Time.GetUtcNow(), cancellationToken);
    }
}

/// <summary>Starts <see cref="TestCluster"/>s for the scenario runner.</summary>
public sealed class TestClusterFactory(TestClusterOptions? options = null) : IScenarioClusterFactory
{
    /// <inheritdoc/>
    public async Task<IScenarioCluster> StartAsync(ClusterSetup setup, CancellationToken cancellationToken) =>
        await TestCluster.StartAsync(setup, options, cancellationToken);
}

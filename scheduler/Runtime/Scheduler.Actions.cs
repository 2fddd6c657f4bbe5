using System.Collections.Immutable;
using Gating.Coordination;
using Gating.Model;
using Gating.Model.Events;
using Gating.Model.Json;
using Gating.Model.Requests;
using Gating.Scheduler.Pipelines;
using Gating.Scheduler.Sources;
using Gating.Scheduler.State;
using Gating.ZooKeeper;

namespace Gating.Scheduler.Runtime;

public sealed partial class Scheduler
{
    /// <summary>
    /// Carries out a record's outbox. Every action is idempotent, keyed by ids the core handed out (build ids,
    /// buildset ids, request ids) or by the pass and position (reports), so running an outbox again after a crash
    /// changes nothing that was already done. The actions that only write requests are carried out in batches, one
    /// kind at a time (few multis, all sent at once): first what is created (merges, builds, node requests, each kind
    /// in outbox order), then what is withdrawn or signalled, so that an id started and cancelled in the same outbox
    /// is cancelled after its start, as the outbox says. Reports, submits and events to other pipelines follow, one
    /// by one in outbox order: they reach outside systems, where order shows.
    /// </summary>
    private Task CarryOutAsync(string pipeline, PipelineRecord record, CancellationToken cancellationToken) =>
        CarryOutAsync(pipeline, record, record.Outbox.Select(SchedulerJson.ActionFrom).ToList(), cancellationToken);

    /// <summary>
    /// Carries out <paramref name="actions"/>, the record's outbox as decided in this process: a pass that has them
    /// in memory saves reading every action back from its JSON (with many items ahead, a build's action is large).
    /// </summary>
    private async Task CarryOutAsync(string pipeline, PipelineRecord record, List<PipelineAction> actions, CancellationToken cancellationToken)
    {
        await BatchAsync<RequestMerge>(actions, merges => SubmitMergesAsync(pipeline, merges, cancellationToken));
        await BatchAsync<StartBuild>(actions, starts => SubmitBuildsAsync(pipeline, starts, record.State, cancellationToken));
        await BatchAsync<RequestNodes>(actions, nodes => _options.Nodes.RequestManyAsync(Tenant.Tenant, pipeline, nodes, cancellationToken));
        await BatchAsync<CancelBuild>(actions, cancels => _executor.CancelManyAsync(cancels.Select(c => c.BuildId).ToList(), cancellationToken));
        await BatchAsync<ResumeBuild>(actions, resumes => _executor.SignalManyAsync(resumes.Select(r => r.BuildId).ToList(), JobSignal.Resume, cancellationToken));
        await BatchAsync<CancelNodeRequest>(actions, cancels => _options.Nodes.CancelManyAsync(cancels.Select(c => c.RequestId).ToList(), cancellationToken));
        await BatchAsync<ReturnNodes>(actions, returns => _options.Nodes.ReturnManyAsync(returns.Select(r => (IReadOnlyList<string>)r.Nodes).ToList(), cancellationToken));
        for (var i = 0; i < actions.Count; i++)
        {
            if (!IsBatched(actions[i]))
            {
                await CarryOutAsync(pipeline, actions[i], $"{pipeline}:{record.Pass}:{i}", cancellationToken);
                Checkpoint("action-done");
            }
        }
    }

    private static bool IsBatched(PipelineAction action) =>
        action is RequestMerge or StartBuild or RequestNodes or CancelBuild or ResumeBuild or CancelNodeRequest or ReturnNodes;

    private async Task BatchAsync<T>(List<PipelineAction> actions, Func<List<T>, Task> carryOut)
        where T : PipelineAction
    {
        var batch = actions.OfType<T>().ToList();
        if (batch.Count > 0)
        {
            await carryOut(batch);
            Checkpoint("action-done");
        }
    }

    private async Task CarryOutAsync(string pipeline, PipelineAction action, string key, CancellationToken cancellationToken)
    {
        var tenant = Tenant.Tenant;
        switch (action)
        {
            case Report report:
                await ReportAsync(pipeline, report, key, cancellationToken);
                break;
            case Submit submit:
                await SubmitChangesAsync(pipeline, submit, key, cancellationToken);
                break;
            case SupercedeIn supercede:
                if (Tenant.Pipeline(supercede.Pipeline) is not null)
                {
                    await PutOnceAsync(pipeline, key, [(ZkPaths.PipelineManagementEvents(tenant, supercede.Pipeline), new SupercedeEvent(supercede.Change))], cancellationToken);
                }
                break;
            case SemaphoreReleased released:
                await PutOnceAsync(pipeline, key, Tenant.PipelineNames.Where(p => p != pipeline)
                    .Select(p => (ZkPaths.PipelineResultEvents(tenant, p), (PipelineEvent)new SemaphoreReleasedEvent(released.Semaphore))).ToList(), cancellationToken);
                break;
            case ItemDequeued:
                break; // the build database (a later issue) records it
            default:
                throw new InvalidOperationException($"no way to carry out {action.GetType().Name}");
        }
    }

    // Request nodes are named by the core's ids: a repeated submit finds its first copy and leaves it.
    private Task SubmitMergesAsync(string pipeline, List<RequestMerge> merges, CancellationToken cancellationToken) =>
        _merger.SubmitManyAsync(merges.Select(merge => new JobSubmission<MergeRequestData>(
            new JobRequest<MergeRequestData>
            {
                Uuid = merge.BuildSetId,
                Precedence = merge.Precedence,
                Data = new MergeRequestData(MergeJobType.Merge, Tenant.Tenant, pipeline, merge.BuildSetId),
            },
            ModelJson.Serialize(MergeRequestOf(merge)))).ToList(), cancellationToken);

    private MergeRequest MergeRequestOf(RequestMerge merge) => new(
        merge.Changes.Select(c => new MergeItem(c.Key.Connection, c.Key.Project, c.Branch ?? "master", c.Ref, c.IsChange ? null : c.NewRev,
            MergeMode.MergeResolve, c.Number?.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Patchset)).ToImmutableArray(),
        null,
        _options.Time.GetUtcNow(),
        [],
        []);

    private async Task SubmitBuildsAsync(string pipeline, List<StartBuild> starts, PipelineState state, CancellationToken cancellationToken)
    {
        // Shaping and serialising parameters is the CPU-heavy part of a gate reset (every build carries the items
        // ahead of it); the inputs are immutable, so it runs on every core, in outbox order for the submit.
        var submissions = new JobSubmission<BuildRequestData>[starts.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, starts.Count), new ParallelOptions { CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var start = starts[i];
            var parameters = await BuildParametersFactory.CreateAsync(Tenant, pipeline, start, state, _options.ProjectKeys, ct);
            submissions[i] = new JobSubmission<BuildRequestData>(
                new JobRequest<BuildRequestData>
                {
                    Uuid = start.BuildId,
                    Precedence = start.Precedence,
                    Data = new BuildRequestData(start.BuildSetId, start.Job.Name, Tenant.Tenant, pipeline),
                },
                ModelJson.Serialize(parameters));
        });
        await _executor.SubmitManyAsync(submissions, cancellationToken);
    }

    private async Task ReportAsync(string pipeline, Report report, string key, CancellationToken cancellationToken)
    {
        foreach (var group in report.Changes.GroupBy(c => c.Key.Connection))
        {
            if (!_options.Reporters.TryGetValue(group.Key, out var reporter) || !Tenant.Reports(pipeline, report.Reporters, group.Key))
            {
                continue;
            }
            var votes = Tenant.VotesFor(pipeline, report.Reporters, group.Key);
            await reporter.ReportAsync(new ReportMessage(pipeline, group.Select(c => c.Key).ToImmutableArray(), report.Message, votes, key), cancellationToken);
        }
    }

    private async Task SubmitChangesAsync(string pipeline, Submit submit, string key, CancellationToken cancellationToken)
    {
        var merged = true;
        string? message = null;
        foreach (var group in submit.Changes.GroupBy(c => c.Key.Connection))
        {
            if (!_options.Reporters.TryGetValue(group.Key, out var reporter))
            {
                merged = false;
                message = $"no reporter for connection {group.Key}";
                continue;
            }
            var outcome = await reporter.SubmitAsync(group.Select(c => c.Key).ToImmutableArray(), key, cancellationToken);
            merged &= outcome.Merged;
            message ??= outcome.Message;
        }
        await PutOnceAsync(pipeline, key,
            [(ZkPaths.PipelineResultEvents(Tenant.Tenant, pipeline), new SubmitCompletedEvent(submit.ItemId, merged, merged ? null : message))], cancellationToken);
    }

    private static string OncePath(string tenant, string pipeline) => ZkPaths.Pipeline(tenant, pipeline) + "/once";

    /// <summary>
    /// Puts events that an outbox entry produces exactly once: with a marker named by the entry's key in the same
    /// multi, so a second attempt finds the marker and puts nothing. Markers go when the outbox is cleared.
    /// </summary>
    private async Task PutOnceAsync(string pipeline, string key, IReadOnlyList<(string Queue, PipelineEvent Event)> events, CancellationToken cancellationToken)
    {
        var ops = new List<Op> { new Op.Create($"{OncePath(Tenant.Tenant, pipeline)}/{ZkPaths.Quote(key)}", default, CreateOptions.Persistent) };
        foreach (var (queue, evt) in events)
        {
            ops.Add((await EnsuredQueueAsync(queue, cancellationToken)).PutOp(SchedulerJson.SerializeEvent(evt)));
        }
        await _zk.EnsurePathAsync(OncePath(Tenant.Tenant, pipeline), cancellationToken);
        try
        {
            await _zk.MultiAsync(ops, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NodeExists)
        {
            // Put before a crash.
        }
    }

    private async Task ClearOnceMarkersAsync(string pipeline, CancellationToken cancellationToken)
    {
        foreach (var name in await _zk.TryGetChildrenAsync(OncePath(Tenant.Tenant, pipeline), cancellationToken))
        {
            await _zk.TryDeleteAsync($"{OncePath(Tenant.Tenant, pipeline)}/{name}", cancellationToken);
        }
    }
}

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
    /// Carries out a record's outbox in order. Every action is idempotent, keyed by ids the core handed out
    /// (build ids, buildset ids, request ids) or by the pass and position (reports), so running an outbox again after
    /// a crash changes nothing that was already done.
    /// </summary>
    private async Task CarryOutAsync(string pipeline, PipelineRecord record, CancellationToken cancellationToken)
    {
        for (var i = 0; i < record.Outbox.Length; i++)
        {
            var action = SchedulerJson.ActionFrom(record.Outbox[i]);
            await CarryOutAsync(pipeline, action, $"{pipeline}:{record.Pass}:{i}", record.State, cancellationToken);
            Checkpoint("action-done");
        }
    }

    private async Task CarryOutAsync(string pipeline, PipelineAction action, string key, PipelineState state, CancellationToken cancellationToken)
    {
        var tenant = Tenant.Tenant;
        switch (action)
        {
            case RequestMerge merge:
                await SubmitMergeAsync(pipeline, merge, cancellationToken);
                break;
            case StartBuild start:
                await SubmitBuildAsync(pipeline, start, state, cancellationToken);
                break;
            case CancelBuild cancel:
                if (await _executor.CancelAsync(cancel.BuildId, cancellationToken) == CancelOutcome.CompletedBeforeStart)
                {
                    await _executor.RemoveAsync(cancel.BuildId, cancellationToken);
                }
                break;
            case ResumeBuild resume:
                await _executor.SignalAsync(resume.BuildId, JobSignal.Resume, cancellationToken);
                break;
            case RequestNodes nodes:
                await _options.Nodes.RequestAsync(tenant, pipeline, nodes, cancellationToken);
                break;
            case CancelNodeRequest cancelNodes:
                await _options.Nodes.CancelAsync(cancelNodes.RequestId, cancellationToken);
                break;
            case ReturnNodes returned:
                await _options.Nodes.ReturnAsync(returned.Nodes, cancellationToken);
                break;
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

    private async Task SubmitMergeAsync(string pipeline, RequestMerge merge, CancellationToken cancellationToken)
    {
        var request = new MergeRequest(
            merge.Changes.Select(c => new MergeItem(c.Key.Connection, c.Key.Project, c.Branch ?? "master", c.Ref, c.IsChange ? null : c.NewRev,
                MergeMode.MergeResolve, c.Number?.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Patchset)).ToImmutableArray(),
            null,
            _options.Time.GetUtcNow(),
            [],
            []);
        var job = new JobRequest<MergeRequestData>
        {
            Uuid = merge.BuildSetId,
            Precedence = merge.Precedence,
            Data = new MergeRequestData(MergeJobType.Merge, Tenant.Tenant, pipeline, merge.BuildSetId),
        };
        await SubmitOnceAsync(_merger, job, ModelJson.Serialize(request), cancellationToken);
    }

    private async Task SubmitBuildAsync(string pipeline, StartBuild start, PipelineState state, CancellationToken cancellationToken)
    {
        var parameters = await BuildParametersFactory.CreateAsync(Tenant, pipeline, start, state, _options.ProjectKeys, cancellationToken);
        var job = new JobRequest<BuildRequestData>
        {
            Uuid = start.BuildId,
            Precedence = start.Precedence,
            Data = new BuildRequestData(start.BuildSetId, start.Job.Name, Tenant.Tenant, pipeline),
        };
        await SubmitOnceAsync(_executor, job, ModelJson.Serialize(parameters), cancellationToken);
    }

    // Request nodes are named by the core's ids, so a repeated submit finds its first copy and stops.
    private static async Task SubmitOnceAsync<T>(JobRequestQueue<T> queue, JobRequest<T> job, byte[] parameters, CancellationToken cancellationToken)
    {
        if (await queue.GetAsync(job.Uuid, cancellationToken) is not null)
        {
            return;
        }
        try
        {
            await queue.SubmitAsync(job, parameters, waitForResult: false, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NodeExists)
        {
            // Another instance carried out the same outbox entry first.
        }
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

using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Gating.Coordination;
using Gating.Model;
using Gating.Model.Events;
using Gating.Model.Json;
using Gating.Model.Requests;
using Gating.Scheduler.Pipelines;
using Gating.Scheduler.State;
using Gating.ZooKeeper;

namespace Gating.Scheduler.Runtime;

public sealed partial class Scheduler
{
    /// <summary>
    /// One pass over a pipeline under its lock. False when the lock is held elsewhere or nothing happened.
    /// </summary>
    private async Task<bool> ProcessPipelineAsync(string pipeline, CancellationToken cancellationToken)
    {
        var tenant = Tenant.Tenant;
        var t = PassProfile.Start();
        if (!_reprocess.Contains(pipeline) && await IsQuietAsync(pipeline, cancellationToken))
        {
            Profile.Add("quiet-check", t);
            return false; // looked at without the lock: nothing to do, so no lock traffic either
        }
        t = Profile.Add("quiet-check", t);
        await using var held = await ZkLock.Exclusive(_zk, ZkPaths.PipelineLock(tenant, pipeline), _options.Time).TryAcquireAsync(cancellationToken);
        if (held is null)
        {
            return false;
        }
        t = Profile.Add("lock", t);
        var (record, version) = await _store.ReadAsync(tenant, pipeline, cancellationToken);
        t = Profile.Add("state-read", t);
        var did = false;
        if (!record.Outbox.IsEmpty)
        {
            // A previous pass (maybe of a dead instance) decided these and may have carried out some of them.
            await CarryOutAsync(pipeline, record, cancellationToken);
            record = record with { Outbox = [] };
            await _store.MarkOutboxDoneAsync(tenant, pipeline, record.Pass, cancellationToken);
            Checkpoint("outbox-cleared");
            await ClearOnceMarkersAsync(pipeline, cancellationToken);
            did = true;
            t = Profile.Add("outbox-recovery", t);
        }

        // Result events before management events before trigger events (reference §3.1).
        var queues = new[]
        {
            new EventQueue(_zk, ZkPaths.PipelineResultEvents(tenant, pipeline)),
            new EventQueue(_zk, ZkPaths.PipelineManagementEvents(tenant, pipeline)),
            new EventQueue(_zk, ZkPaths.PipelineTriggerEvents(tenant, pipeline)),
        };
        var consumed = record.Consumed;
        var read = new List<QueuedEvent>();
        var events = new List<PipelineEvent>();
        var mergeResults = new Dictionary<string, MergeResult>(StringComparer.Ordinal);
        var finishedMerges = new List<string>();
        var finishedBuilds = new List<string>();
        foreach (var queue in queues)
        {
            var last = consumed.GetValueOrDefault(queue.Root, -1);
            foreach (var queued in await queue.ReadAsync(cancellationToken))
            {
                read.Add(queued);
                if (queued.Sequence <= last)
                {
                    continue; // applied before a crash stopped the ack
                }
                consumed = consumed.SetItem(queue.Root, queued.Sequence);
                var evt = SchedulerJson.DeserializeEvent(queued.Payload);
                if (evt is MergeJobCompletedEvent done)
                {
                    finishedMerges.Add(done.RequestId);
                    evt = await MergeAnswerAsync(done, mergeResults, cancellationToken);
                }
                else if (evt is BuildCompletedEvent completed)
                {
                    finishedBuilds.Add(completed.BuildId);
                }
                events.Add(evt);
            }
        }
        var reprocess = _reprocess.Remove(pipeline);
        t = Profile.Add("events-read", t);
        if (events.Count == 0 && !reprocess)
        {
            if (read.Count == 0)
            {
                return did;
            }
            // Every event read was applied before a crash stopped its ack: ack them now, or the queue never looks
            // quiet and each round takes the lock again for nothing until a new event arrives.
            await AckAllAsync(read, cancellationToken);
            return true;
        }
        var info = Tenant.Pipeline(pipeline)!;
        var external = await ExternalSemaphoreHoldersAsync(pipeline, cancellationToken);
        if (external.Count > 0)
        {
            info = info with { Context = info.Context with { ExternalSemaphoreHolders = s => external.GetValueOrDefault(s) } };
        }
        var now = _options.Time.GetUtcNow();
        var before = record.State;
        t = Profile.Add("semaphores-read", t);
        var result = PipelineCore.HandleAll(info.Context, record.State, events, now);
        t = Profile.Add("core", t);
        var actions = new List<PipelineAction>();
        var state = await FreezeInProcessAsync(pipeline, info, result, actions, mergeResults, now, cancellationToken);
        t = Profile.Add("freeze", t);

        var pass = record.Pass + 1;
        record = new PipelineRecord(state, actions.Select(SchedulerJson.ActionNode).ToImmutableArray(), consumed, pass);
        version = await _store.WriteAsync(tenant, pipeline, record, version, cancellationToken);
        Checkpoint("record-written");
        t = Profile.Add("state-write", t);
        Profile.Add("state-write: encode", _store.LastWrite.Encoding);
        Profile.Add("state-write: zookeeper", _store.LastWrite.Committing);
        Profile.Count("state-parts-created", _store.LastWrite.Created);
        Profile.Count("state-parts-serialised", _store.LastWrite.Serialized);
        Profile.Count("state-kib-written", _store.LastWrite.Bytes / 1024);
        await PublishSemaphoreHoldersAsync(pipeline, before, state, cancellationToken);
        await AckAllAsync(read, cancellationToken);
        t = Profile.Add("acks", t);
        // Finished requests go in few multis (their existing nodes read first, all at once): after a gate reset a
        // pass finishes hundreds of builds.
        await Task.WhenAll(_merger.RemoveManyAsync(finishedMerges, cancellationToken), _executor.RemoveManyAsync(finishedBuilds, cancellationToken));
        Checkpoint("events-acked");
        t = Profile.Add("requests-removed", t);
        if (!record.Outbox.IsEmpty)
        {
            await CarryOutAsync(pipeline, record, actions, cancellationToken);
            t = Profile.Add("actions", t);
            await _store.MarkOutboxDoneAsync(tenant, pipeline, record.Pass, cancellationToken);
            Checkpoint("outbox-cleared");
            await ClearOnceMarkersAsync(pipeline, cancellationToken);
            Profile.Add("outbox-done", t);
        }
        return true;
    }

    /// <summary>
    /// Acknowledges the pass's events in one transaction (deletes of their queue nodes). An event someone else
    /// acknowledged meanwhile fails the whole transaction, so then each is acknowledged on its own.
    /// </summary>
    private async Task AckAllAsync(List<QueuedEvent> read, CancellationToken cancellationToken)
    {
        var inline = read.Where(q => q.SidePath is null).ToList();
        var acked = false;
        if (inline.Count > 0)
        {
            try
            {
                foreach (var chunk in inline.Chunk(1000))
                {
                    await _zk.MultiAsync([.. chunk.Select(q => (Op)new Op.Delete(q.Path, ZooKeeperVersion.Any))], cancellationToken);
                }
                acked = true;
            }
            catch (ZooKeeperMultiException)
            {
                // Fall back to one by one below.
            }
        }
        foreach (var queued in acked ? read.Where(q => q.SidePath is not null) : read)
        {
            await new EventQueue(_zk, ZkPaths.Parent(ZkPaths.Parent(queued.Path))).AckAsync(queued, cancellationToken);
        }
    }

    private async Task<bool> IsQuietAsync(string pipeline, CancellationToken cancellationToken)
    {
        var tenant = Tenant.Tenant;
        foreach (var root in new[] { ZkPaths.PipelineResultEvents(tenant, pipeline), ZkPaths.PipelineManagementEvents(tenant, pipeline), ZkPaths.PipelineTriggerEvents(tenant, pipeline) })
        {
            if (await new EventQueue(_zk, root).CountAsync(cancellationToken) > 0)
            {
                return false;
            }
        }
        return await _store.IsSettledAsync(tenant, pipeline, cancellationToken);
    }

    // Job graph freezing needs no I/O beyond the source's file list, so its answer is fed back into the core in the
    // same pass instead of going through a queue: nothing about it can be lost in a crash.
    private async Task<PipelineState> FreezeInProcessAsync(string pipeline, TenantRuntime.PipelineInfo info, PipelineResult result,
        List<PipelineAction> actions, Dictionary<string, MergeResult> mergeResults, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var state = result.State;
        var pending = result.Actions;
        for (var round = 0; round < 100; round++)
        {
            var answers = new List<PipelineEvent>();
            foreach (var action in pending)
            {
                if (action is FreezeJobGraph freeze)
                {
                    answers.Add(await FreezeAsync(pipeline, freeze, mergeResults.GetValueOrDefault(freeze.BuildSetId), cancellationToken));
                }
                else
                {
                    actions.Add(action);
                }
            }
            if (answers.Count == 0)
            {
                break;
            }
            var next = PipelineCore.HandleAll(info.Context, state, answers, now);
            state = next.State;
            pending = next.Actions;
        }
        return state;
    }

    private async Task<PipelineEvent> MergeAnswerAsync(MergeJobCompletedEvent done, Dictionary<string, MergeResult> results, CancellationToken cancellationToken)
    {
        var buildSet = done.BuildSetId ?? "";
        if (done.Error is not null)
        {
            return new MergeConflictEvent(buildSet);
        }
        var data = await new ShardedBlob(_zk).ReadAsync(_merger.ResultDataPath(done.RequestId), cancellationToken);
        if (data is null)
        {
            return new MergeConflictEvent(buildSet);
        }
        var merged = ModelJson.Deserialize<MergeResult>(data.Data);
        if (!merged.Merged)
        {
            return new MergeConflictEvent(buildSet);
        }
        results[buildSet] = merged;
        var repoState = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (project, branches) in merged.Commits)
        {
            foreach (var (branch, sha) in branches)
            {
                repoState[$"{project}@{branch}"] = sha;
            }
        }
        return new MergeCompletedEvent(buildSet, repoState.ToImmutable());
    }
}

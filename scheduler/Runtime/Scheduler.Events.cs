using System.Collections.Immutable;
using System.Text.Json;
using Gating.Coordination;
using Gating.Model;
using Gating.Model.Events;
using Gating.Scheduler.Sources;
using Gating.Scheduler.State;

namespace Gating.Scheduler.Runtime;

public sealed partial class Scheduler
{
    /// <summary>Puts an event on a connection's queue (what a driver does).</summary>
    public static Task PutConnectionEventAsync(Gating.ZooKeeper.IZooKeeper zk, ConnectionEvent evt, CancellationToken cancellationToken) =>
        new EventQueue(zk, ZkPaths.ConnectionEvents(evt.Connection)).PutAsync(Json(evt), cancellationToken);

    /// <summary>Puts an operator event (enqueue, dequeue, promote) on a pipeline's management queue.</summary>
    public static Task PutManagementEventAsync(Gating.ZooKeeper.IZooKeeper zk, string tenant, string pipeline, PipelineEvent evt, CancellationToken cancellationToken) =>
        new EventQueue(zk, ZkPaths.PipelineManagementEvents(tenant, pipeline)).PutAsync(SchedulerJson.SerializeEvent(evt), cancellationToken);

    // Connection queue -> tenant trigger queue. One tenant per instance here; a multi-tenant scheduler would put
    // the event on the trigger queue of every tenant that has the project. The move and the progress marker are one
    // multi, so a crash never moves an event twice.
    private async Task<bool> ForwardConnectionEventsAsync(CancellationToken cancellationToken)
    {
        var did = false;
        var tenantQueue = await EnsuredQueueAsync(ZkPaths.TenantTriggerEvents(Tenant.Tenant), cancellationToken);
        foreach (var connection in ConnectionNames)
        {
            var queue = new EventQueue(_zk, ZkPaths.ConnectionEvents(connection));
            if (await queue.CountAsync(cancellationToken) == 0)
            {
                continue;
            }
            await using var held = await ZkLock.Exclusive(_zk, ZkPaths.ConnectionLock(connection, "events"), _options.Time).TryAcquireAsync(cancellationToken);
            if (held is null)
            {
                continue;
            }
            var marker = new ProgressMarker(_zk, ZkPaths.ConnectionEvents(connection) + "/forwarded");
            var (done, version) = await marker.ReadAsync(cancellationToken);
            foreach (var queued in await queue.ReadAsync(cancellationToken))
            {
                if (queued.Sequence > done)
                {
                    await _zk.MultiAsync([tenantQueue.PutOp(queued.Payload), marker.SetOp(queued.Sequence, version++)], cancellationToken);
                    Checkpoint("connection-forwarded");
                }
                await queue.AckAsync(queued, cancellationToken);
                did = true;
            }
        }
        return did;
    }

    // Tenant trigger queue -> pipeline trigger queues, under the tenant's trigger event lock; all the events one
    // connection event becomes are put with the progress marker in one multi.
    private async Task<bool> ProcessTenantEventsAsync(CancellationToken cancellationToken)
    {
        var queue = new EventQueue(_zk, ZkPaths.TenantTriggerEvents(Tenant.Tenant));
        if (await queue.CountAsync(cancellationToken) == 0)
        {
            return false;
        }
        await using var held = await ZkLock.Exclusive(_zk, ZkPaths.TriggerEventLock(Tenant.Tenant), _options.Time).TryAcquireAsync(cancellationToken);
        if (held is null)
        {
            return false;
        }
        var marker = new ProgressMarker(_zk, ZkPaths.TenantEventState(Tenant.Tenant) + "/routed");
        var (done, version) = await marker.ReadAsync(cancellationToken);
        var did = false;
        foreach (var queued in await queue.ReadAsync(cancellationToken))
        {
            if (queued.Sequence > done)
            {
                var evt = JsonSerializer.Deserialize<ConnectionEvent>(queued.Payload, SchedulerJson.Options)
                    ?? throw new JsonException("a null connection event");
                var ops = new List<Gating.ZooKeeper.Op>();
                foreach (var (pipeline, pipelineEvent) in await RouteAsync(evt, cancellationToken))
                {
                    var target = await EnsuredQueueAsync(ZkPaths.PipelineTriggerEvents(Tenant.Tenant, pipeline), cancellationToken);
                    ops.Add(target.PutOp(SchedulerJson.SerializeEvent(pipelineEvent)));
                }
                ops.Add(marker.SetOp(queued.Sequence, version++));
                await _zk.MultiAsync(ops, cancellationToken);
                Checkpoint("tenant-event-routed");
            }
            await queue.AckAsync(queued, cancellationToken);
            did = true;
        }
        return did;
    }

    private readonly HashSet<string> _ensured = new(StringComparer.Ordinal);

    private async Task<EventQueue> EnsuredQueueAsync(string root, CancellationToken cancellationToken)
    {
        var queue = new EventQueue(_zk, root);
        if (_ensured.Add(root))
        {
            await queue.EnsureAsync(cancellationToken);
        }
        return queue;
    }

    /// <summary>The pipeline events one connection event becomes, per pipeline, in order (reference §3.1-3.2).</summary>
    private async Task<List<(string Pipeline, PipelineEvent Event)>> RouteAsync(ConnectionEvent evt, CancellationToken cancellationToken)
    {
        var routed = new List<(string, PipelineEvent)>();
        if (evt.Type == ConnectionEventTypes.Timer)
        {
            if (evt.Pipeline is { } timerPipeline && Tenant.Pipeline(timerPipeline) is not null)
            {
                foreach (var (project, branch) in Tenant.ProjectsIn(timerPipeline))
                {
                    if (_options.Sources.Values.FirstOrDefault() is { } source)
                    {
                        var item = await source.GetRefAsync(project, "refs/heads/" + branch, null, null, cancellationToken);
                        routed.Add((timerPipeline, new TriggerEvent(item, ChangeGraph.None) { EventId = evt.Id }));
                    }
                }
            }
            return routed;
        }
        if (!_options.Sources.TryGetValue(evt.Connection, out var src))
        {
            return routed;
        }
        Change? change;
        if (evt.IsChangeEvent)
        {
            change = await src.GetChangeAsync(new ChangeKey(evt.Connection, evt.Project, evt.Change!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken);
            if (change is null)
            {
                return routed;
            }
            if (evt.Patchset is { } ps && ps != change.Patchset)
            {
                // The event is about an older patchset: act on that version (trigger matching uses the event).
                change = change with { Patchset = ps, IsCurrentPatchset = false };
            }
        }
        else if (evt.Ref is { } gitRef)
        {
            change = await src.GetRefAsync(evt.Project, gitRef, evt.OldRev, evt.NewRev, cancellationToken);
        }
        else
        {
            return routed;
        }
        ChangeGraph? graph = null;
        foreach (var name in Tenant.PipelineNames)
        {
            var info = Tenant.Pipeline(name)!;
            if (evt.Type == ConnectionEventTypes.PatchsetCreated && change.IsChange)
            {
                routed.Add((name, new NewPatchsetEvent(change) { EventId = evt.Id }));
            }
            else if (evt.Type == ConnectionEventTypes.ChangeAbandoned && change.IsChange)
            {
                routed.Add((name, new ChangeAbandonedEvent(change) { EventId = evt.Id }));
            }
            else if (change.IsChange)
            {
                routed.Add((name, new ChangesUpdatedEvent([change]) { EventId = evt.Id }));
            }
            if (info.Triggers.Any(t => t.Matches(evt, change)))
            {
                graph ??= await ChangeGraphResolver.ResolveAsync(change, _options.Sources, Tenant.DependenciesByTopic, cancellationToken);
                // The graph's copy of the change carries the needs the resolver derived (topics).
                var resolved = graph.Changes.TryGetValue(change.Key, out var linked) ? linked : change;
                routed.Add((name, new TriggerEvent(resolved, graph) { EventId = evt.Id }));
            }
        }
        return routed;
    }
}

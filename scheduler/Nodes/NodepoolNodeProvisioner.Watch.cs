using System.Text;
using System.Threading.Channels;
using Gating.Coordination;
using Gating.Model.Events;
using Gating.Model.Json;
using Gating.ZooKeeper;

namespace Gating.Scheduler.Nodes;

/// <summary>The watching half: nodepool's answers to the pipelines' result queues.</summary>
public sealed partial class NodepoolNodeProvisioner
{
    /// <summary>How often <see cref="RunAsync"/> looks even without a watch event (events missed while disconnected).</summary>
    public TimeSpan SafetyInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Answers every request nodepool has finished: nodes-provisioned (with the node ids in nodeset order) or
    /// nodes-failed on the request's pipeline result queue, in one multi with the record's compare-and-set, so the
    /// answer is put exactly once however many instances watch; failed requests are deleted, as Zuul does. A request
    /// deleted behind the scheduler's back is answered nodes-failed. True when anything was answered.
    /// </summary>
    public async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var did = false;
        foreach (var name in await _zk.TryGetChildrenAsync(TrackingRoot, cancellationToken))
        {
            var path = $"{TrackingRoot}/{name}";
            if (await _zk.TryGetDataAsync(path, null, cancellationToken) is not { Data.Length: > 0 } data)
            {
                continue;
            }
            var tracked = TrackedNodeRequest.FromJson(data.Data);
            if (tracked.NodepoolId is not { } id || tracked.Answered || tracked.Cancelled)
            {
                continue;
            }
            if (await _zk.TryGetDataAsync(NodepoolRequestPath(id), null, cancellationToken) is not { Data.Length: > 0 } request)
            {
                // Deleted behind the scheduler's back (an operator, a cleanup): the core tries the next nodeset
                // alternative or records NODE_FAILURE, rather than waiting forever.
                did |= await AnswerAsync(path, tracked with { Answered = true }, data.Stat.Version, new NodesFailedEvent(tracked.RequestId), cancellationToken);
                continue;
            }
            var (state, nodes, _) = NodepoolRequestJson.Read(request.Data);
            PipelineEvent answer;
            if (state == "fulfilled")
            {
                answer = new NodesProvisionedEvent(tracked.RequestId, nodes);
            }
            else if (state == "failed")
            {
                answer = new NodesFailedEvent(tracked.RequestId);
            }
            else
            {
                continue;
            }
            if (await AnswerAsync(path, tracked with { Answered = true, Nodes = answer is NodesProvisionedEvent ? nodes : [] }, data.Stat.Version, answer, cancellationToken))
            {
                LogAnswered(_log, tracked.RequestId, id, state);
                did = true;
            }
            if (answer is NodesFailedEvent)
            {
                await DeleteNodepoolRequestAsync(id, cancellationToken);
            }
        }
        return did;
    }

    /// <summary>
    /// Removes what is left of answered requests whose nodes nodepool no longer has (every node gone, or used or
    /// deleting: its build ran and the executor gave it back): the fulfilled request, the node index and the record.
    /// The core returns nodes only for builds it still knows; a build aborted because its item left the queue has
    /// its nodes given back by the executor alone, as in Zuul, and its request would stay forever. Returns how many
    /// records went.
    /// </summary>
    public async Task<int> CollectAsync(CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var name in await _zk.TryGetChildrenAsync(TrackingRoot, cancellationToken))
        {
            var path = $"{TrackingRoot}/{name}";
            if (await _zk.TryGetDataAsync(path, null, cancellationToken) is not { Data.Length: > 0 } data)
            {
                continue;
            }
            var tracked = TrackedNodeRequest.FromJson(data.Data);
            if (!tracked.Answered || tracked.Nodes.IsEmpty || !await AllGoneAsync(tracked.Nodes, cancellationToken))
            {
                continue;
            }
            if (tracked.NodepoolId is { } id)
            {
                await DeleteNodepoolRequestAsync(id, cancellationToken);
            }
            foreach (var node in tracked.Nodes)
            {
                await _zk.TryDeleteAsync(NodeIndexPath(node), cancellationToken);
            }
            await _zk.TryDeleteAsync(path, cancellationToken);
            removed++;
        }
        return removed;
    }

    private async Task<bool> AllGoneAsync(IEnumerable<string> nodes, CancellationToken cancellationToken)
    {
        foreach (var node in nodes)
        {
            if (await _zk.TryGetDataAsync(ZkPaths.Node(node), null, cancellationToken) is { Data.Length: > 0 } data
                && System.Text.Json.Nodes.JsonNode.Parse(data.Data)?["state"]?.GetValue<string>() is not ("used" or "deleting" or "deleted"))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Runs <see cref="RunOnceAsync"/> whenever a node request or a record changes (persistent watches), and every
    /// <see cref="SafetyInterval"/>, until cancelled; <see cref="CollectAsync"/> runs on the safety interval only (it
    /// reads every answered request's nodes).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        Watcher watcher = _ => wake.Writer.TryWrite(true);
        await _zk.EnsurePathAsync(ZkPaths.NodeRequests, cancellationToken);
        await _zk.EnsurePathAsync(TrackingRoot, cancellationToken);
        await _zk.AddWatchAsync(ZkPaths.NodeRequests, AddWatchMode.PersistentRecursive, watcher, cancellationToken);
        await _zk.AddWatchAsync(TrackingRoot, AddWatchMode.PersistentRecursive, watcher, cancellationToken);
        var nextCollection = _time.GetUtcNow() + SafetyInterval;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await RunOnceAsync(cancellationToken);
                    if (_time.GetUtcNow() >= nextCollection)
                    {
                        await CollectAsync(cancellationToken);
                        nextCollection = _time.GetUtcNow() + SafetyInterval;
                    }
                }
                catch (ZooKeeperException e) when (e.IsRetryable)
                {
                    LogPassFailed(_log, e); // a connection loss: the next pass (a watch event or the safety net) retries
                }
                using var interval = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                interval.CancelAfter(SafetyInterval);
                try
                {
                    await wake.Reader.ReadAsync(interval.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The safety interval passed: look anyway.
                }
            }
        }
        finally
        {
            foreach (var root in new[] { ZkPaths.NodeRequests, TrackingRoot })
            {
                try
                {
                    await _zk.RemoveWatchesAsync(root, WatcherType.PersistentRecursive, watcher, CancellationToken.None);
                }
                catch (ZooKeeperException)
                {
                    // The session is gone, and its watches with it.
                }
            }
        }
    }

    private async Task<bool> AnswerAsync(string path, TrackedNodeRequest answered, int version, PipelineEvent answer, CancellationToken cancellationToken)
    {
        var queue = new EventQueue(_zk, ZkPaths.PipelineResultEvents(answered.Tenant, answered.Pipeline));
        await queue.EnsureAsync(cancellationToken);
        await _zk.EnsurePathAsync(NodeIndexRoot, cancellationToken);
        foreach (var node in answered.Nodes)
        {
            // A stale entry (a node given back without its index going) would fail the multi; the node is this request's now.
            await _zk.TryDeleteAsync(NodeIndexPath(node), cancellationToken);
        }
        var ops = new List<Op>
        {
            new Op.SetData(path, answered.ToJson(), version),
            queue.PutOp(ResultEventJson.Serialize(answer)),
        };
        ops.AddRange(answered.Nodes.Select(node => new Op.Create(NodeIndexPath(node), Encoding.UTF8.GetBytes(answered.RequestId), CreateOptions.Persistent)));
        try
        {
            await _zk.MultiAsync(ops, cancellationToken);
            return true;
        }
        catch (ZooKeeperException e) when (e.Code is ErrorCode.BadVersion or ErrorCode.NoNode or ErrorCode.NodeExists)
        {
            return false; // Another instance answered, or the request was cancelled, meanwhile.
        }
    }
}

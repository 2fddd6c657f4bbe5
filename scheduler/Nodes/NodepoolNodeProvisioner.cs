using Gating.Coordination;
using Gating.Scheduler.Pipelines;
using Gating.Scheduler.Runtime;
using Gating.ZooKeeper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gating.Scheduler.Nodes;

/// <summary>
/// Node requests to nodepool (reference/zuul.md 1.4, 5.2): each request becomes a sequential znode under
/// <c>/nodepool/requests</c> in nodepool's format; <see cref="RunAsync"/> watches them and answers the pipeline with a
/// nodes-provisioned or nodes-failed result event once, when the launcher fulfils or fails them. The scheduler's own
/// record of each request (<see cref="TrackedNodeRequest"/>, keyed by the core's request id) makes every method
/// idempotent: after a crash the same call finds the record and the request and does nothing twice.
/// <code>
/// RequestAsync ──> record (requestId) ──> /nodepool/requests/PPP-seq (requested) ──launcher──> fulfilled | failed
/// RunOnceAsync: fulfilled/failed ──multi{ record answered (CAS), result event, node index }──> pipeline result queue
/// ReturnAsync(nodes): in-use -> used, unlock; the request and the record go (nodepool cleans or re-registers the nodes)
/// CancelAsync: record cancelled, request deleted (its allocated ready nodes go back to nodepool), record gone
/// </code>
/// The nodes stay allocated to their (fulfilled) request until they are returned, so nodepool's cleanup never frees
/// them before the executor locks them (the executor marks them in-use, then used, and unlocks them: BuildNodes).
/// </summary>
public sealed partial class NodepoolNodeProvisioner : INodeProvisioner
{
    private readonly IZooKeeper _zk;
    private readonly TimeProvider _time;
    private readonly string _requestor;
    private readonly ILogger _log;

    /// <summary>The provisioner on a ZooKeeper session; <paramref name="requestor"/> names this system in requests.</summary>
    public NodepoolNodeProvisioner(IZooKeeper zk, TimeProvider time, string requestor = "gating", ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(zk);
        ArgumentNullException.ThrowIfNull(time);
        _zk = zk;
        _time = time;
        _requestor = requestor;
        _log = logger ?? NullLogger.Instance;
    }

    /// <summary>Where the scheduler keeps its records of node requests.</summary>
    public const string TrackingRoot = ZkPaths.Root + "/nodepool/node-requests";

    /// <summary>Node id -> the core's request id of the request it was provisioned for (so nodes can be returned).</summary>
    public const string NodeIndexRoot = ZkPaths.Root + "/nodepool/request-nodes";

    /// <summary>The record of a request.</summary>
    public static string TrackingPath(string requestId) => $"{TrackingRoot}/{ZkPaths.Quote(requestId)}";

    private static string NodeIndexPath(string nodeId) => $"{NodeIndexRoot}/{ZkPaths.Quote(nodeId)}";

    private static string NodepoolRequestPath(string id) => $"{ZkPaths.NodeRequests}/{id}";

    /// <inheritdoc/>
    public async Task RequestAsync(string tenant, string pipeline, RequestNodes request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = TrackingPath(request.RequestId);
        var fresh = new TrackedNodeRequest(tenant, pipeline, request.RequestId, null, false, false, []);
        var recovering = false;
        try
        {
            await _zk.CreateWithParentsAsync(path, fresh.ToJson(), CreateOptions.Persistent, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NodeExists)
        {
            recovering = true; // Called before (a crash, or an outbox carried out again).
        }
        if (await _zk.TryGetDataAsync(path, null, cancellationToken) is not { } data)
        {
            return; // Cancelled meanwhile.
        }
        var tracked = TrackedNodeRequest.FromJson(data.Data);
        if (tracked.NodepoolId is not null || tracked.Cancelled)
        {
            return;
        }
        // A crash between the submit and the record's update leaves a request the record does not name: find it.
        var nodepoolId = recovering ? await FindSubmittedAsync(request.RequestId, cancellationToken) : null;
        if (nodepoolId is null)
        {
            nodepoolId = await SubmitAsync(tenant, pipeline, request, cancellationToken);
            LogSubmitted(_log, request.RequestId, nodepoolId, request.Job);
        }
        try
        {
            await _zk.SetDataAsync(path, (tracked with { NodepoolId = nodepoolId }).ToJson(), data.Stat.Version, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code is ErrorCode.BadVersion or ErrorCode.NoNode)
        {
            // Cancelled while submitting: withdraw the request just made.
            await DeleteNodepoolRequestAsync(nodepoolId, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async Task CancelAsync(string requestId, CancellationToken cancellationToken)
    {
        var path = TrackingPath(requestId);
        if (await _zk.TryGetDataAsync(path, null, cancellationToken) is not { } data)
        {
            return;
        }
        var tracked = TrackedNodeRequest.FromJson(data.Data);
        if (!tracked.Cancelled)
        {
            // Marked first, so the watcher never resubmits or answers a request that is being withdrawn.
            try
            {
                await _zk.SetDataAsync(path, (tracked with { Cancelled = true }).ToJson(), data.Stat.Version, cancellationToken);
            }
            catch (ZooKeeperException e) when (e.Code is ErrorCode.BadVersion)
            {
                await CancelAsync(requestId, cancellationToken); // The watcher answered meanwhile: read again.
                return;
            }
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
    }

    /// <inheritdoc/>
    public async Task ReturnAsync(IReadOnlyList<string> nodes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var requests = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (await _zk.TryGetDataAsync(NodeIndexPath(node), null, cancellationToken) is { } index)
            {
                requests.Add(System.Text.Encoding.UTF8.GetString(index.Data));
            }
            await ReleaseNodeAsync(node, cancellationToken);
        }
        foreach (var requestId in requests)
        {
            var path = TrackingPath(requestId);
            if (await _zk.TryGetDataAsync(path, null, cancellationToken) is { } data)
            {
                var tracked = TrackedNodeRequest.FromJson(data.Data);
                if (tracked.NodepoolId is { } id)
                {
                    await DeleteNodepoolRequestAsync(id, cancellationToken);
                }
                foreach (var node in tracked.Nodes)
                {
                    await _zk.TryDeleteAsync(NodeIndexPath(node), cancellationToken);
                }
                await _zk.TryDeleteAsync(path, cancellationToken);
            }
        }
        foreach (var node in nodes)
        {
            await _zk.TryDeleteAsync(NodeIndexPath(node), cancellationToken);
        }
    }

    // As Zuul's returnNodeSet: an in-use node (its executor is done, or died) becomes used for nodepool to clean up;
    // a ready node that never ran anything stays ready and, once its request is gone, is free for reuse. A node
    // someone holds (an executor still on it) is left to that holder, which marks it used itself.
    private async Task ReleaseNodeAsync(string node, CancellationToken cancellationToken)
    {
        await using var handle = await ZkLock.Exclusive(_zk, ZkPaths.NodeLock(node), _time).TryAcquireWhileExistsAsync(ZkPaths.Node(node), cancellationToken);
        if (handle is null)
        {
            return;
        }
        while (await _zk.TryGetDataAsync(ZkPaths.Node(node), null, cancellationToken) is { Data.Length: > 0 } data
            && System.Text.Json.Nodes.JsonNode.Parse(data.Data) is System.Text.Json.Nodes.JsonObject record
            && record["state"]?.GetValue<string>() == "in-use")
        {
            record["state"] = "used";
            record["state_time"] = (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).TotalSeconds;
            try
            {
                await _zk.SetDataAsync(ZkPaths.Node(node), System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(record), data.Stat.Version, cancellationToken);
                return;
            }
            catch (ZooKeeperException e) when (e.Code == ErrorCode.BadVersion)
            {
                // The launcher wrote it meanwhile: read again.
            }
        }
    }

    private async Task<string> SubmitAsync(string tenant, string pipeline, RequestNodes request, CancellationToken cancellationToken)
    {
        await _zk.EnsurePathAsync(ZkPaths.NodeRequests, cancellationToken);
        var body = NodepoolRequestJson.Write(tenant, pipeline, request, _requestor, _time.GetUtcNow());
        var created = await _zk.CreateAsync(ZkPaths.NodeRequestPrefix(NodepoolRequestJson.Priority(request.Precedence)), body,
            CreateOptions.PersistentSequential, cancellationToken);
        return ZkPaths.Name(created.Path);
    }

    private async Task<string?> FindSubmittedAsync(string requestId, CancellationToken cancellationToken)
    {
        foreach (var name in await _zk.TryGetChildrenAsync(ZkPaths.NodeRequests, cancellationToken))
        {
            if (await _zk.TryGetDataAsync(NodepoolRequestPath(name), null, cancellationToken) is { Data.Length: > 0 } data
                && NodepoolRequestJson.Read(data.Data).JobUuid == requestId)
            {
                return name;
            }
        }
        return null;
    }

    // Nodepool's requestor side of a delete: the request, then its lock znode when no launcher holds it.
    private async Task DeleteNodepoolRequestAsync(string id, CancellationToken cancellationToken)
    {
        await _zk.TryDeleteAsync(NodepoolRequestPath(id), cancellationToken);
        try
        {
            await _zk.DeleteAsync(ZkPaths.NodeRequestLock(id), ZooKeeperVersion.Any, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code is ErrorCode.NoNode or ErrorCode.NotEmpty)
        {
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Node request {RequestId} for job {Job} submitted to nodepool as {NodepoolId}")]
    private static partial void LogSubmitted(ILogger logger, string requestId, string nodepoolId, string job);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "Node request {RequestId} ({NodepoolId}) answered: {Answer}")]
    private static partial void LogAnswered(ILogger logger, string requestId, string nodepoolId, string answer);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "Node request watch pass failed; trying again")]
    private static partial void LogPassFailed(ILogger logger, Exception error);
}

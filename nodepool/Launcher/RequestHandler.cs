using System.Collections.Immutable;
using Gating.Model;
using Gating.Nodepool.Config;
using Gating.Nodepool.Decisions;
using Gating.Nodepool.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gating.Nodepool.Launcher;

/// <summary>
/// Carries out an accepted plan for one request in one pool (reference/zuul.md 5.2 steps 3-5): allocates the
/// reused ready nodes, launches the others in parallel (each launch tried up to launch-retries times), and ends
/// the request fulfilled, declined (a launch failed for good), or released back to requested (the provider was
/// full: Nodepool's aborted node). Every node change goes through <see cref="INodeStore"/> as it happens, so
/// quota and cleanup always see building nodes.
/// </summary>
public sealed partial class RequestHandler
{
    private readonly INodeProvider _provider;
    private readonly ProviderConfig _providerConfig;
    private readonly PoolConfig _pool;
    private readonly INodeStore _store;
    private readonly string _launcher;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Builds the handler of one pool.</summary>
    public RequestHandler(INodeProvider provider, ProviderConfig providerConfig, PoolConfig pool, INodeStore store, string launcher, TimeProvider time, ILogger? logger = null)
    {
        _provider = provider;
        _providerConfig = providerConfig;
        _pool = pool;
        _store = store;
        _launcher = launcher;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The pool's id.</summary>
    public PoolId PoolId => new(_providerConfig.Name, _pool.Name);

    /// <summary>
    /// First half, done before the pool looks at its next request so that quota sees it: allocates the reused
    /// ready nodes and writes a locked building record for each node to launch. The request must be locked by
    /// the caller and pending.
    /// </summary>
    public async Task<PreparedRequest> PrepareAsync(NodeRequest request, ImmutableArray<NodeStep> plan, CancellationToken cancellationToken)
    {
        var slots = ImmutableArray.CreateBuilder<PreparedNode>(plan.Length);
        foreach (var step in plan)
        {
            if (step.ReuseNodeId is { } reuse && await TryAllocateAsync(reuse, request.Id, cancellationToken) is { } allocated)
            {
                slots.Add(new PreparedNode(allocated, null));
                continue;
            }

            var id = await _store.NewNodeIdAsync(cancellationToken);
            var poolLabel = _pool.Label(step.Label);
            var now = _time.GetUtcNow();
            var node = new Node(id, NodeState.Building, now, _providerConfig.Name, _pool.Name, [step.Label])
            {
                AllocatedTo = request.Id,
                Launcher = _launcher,
                CreatedTime = now,
                TenantName = request.TenantName,
                Requestor = request.Requestor,
                Attributes = _pool.NodeAttributes,
                Resources = QuotaUsage.ForLabel(_pool, step.Label),
                Username = poolLabel?.Username ?? "zuul",
            };
            // Locked before the record says building: a cleanup (of any launcher) deletes unlocked building nodes.
            var nodeLock = await _store.TryLockNodeAsync(id, cancellationToken)
                ?? throw new InvalidOperationException($"node {id} was locked by someone else right after its creation");
            await _store.SaveNodeAsync(node, cancellationToken);
            slots.Add(new PreparedNode(node, nodeLock));
        }

        return new PreparedRequest(request, slots.MoveToImmutable());
    }

    /// <summary>
    /// Second half: launches the building nodes in parallel and returns the request in its final state for this
    /// pool: fulfilled, declined (requested or failed, per <paramref name="registeredPools"/>), or requested
    /// again when the provider was full. Ready nodes of an unfulfilled request go back to the pool for reuse.
    /// </summary>
    public async Task<NodeRequest> CompleteAsync(PreparedRequest prepared, IReadOnlyList<PoolView> registeredPools, CancellationToken cancellationToken)
    {
        var request = prepared.Request;
        var results = await Task.WhenAll(prepared.Nodes.Select(async slot =>
        {
            if (slot.Lock is null)
            {
                return slot.Node;
            }

            await using (slot.Lock)
            {
                return await LaunchAsync(slot.Node, cancellationToken);
            }
        }));

        var now = _time.GetUtcNow();
        if (results.All(n => n is { State: NodeState.Ready }))
        {
            LogFulfilled(_logger, request.Id, PoolId.ToString());
            return request with { State = NodeRequestState.Fulfilled, StateTime = now, NodeIds = [.. results.Select(n => n!.Id)] };
        }

        foreach (var node in results.OfType<Node>().Where(n => n.State == NodeState.Ready))
        {
            await _store.UpdateNodeAsync(node.Id, n => n.AllocatedTo == request.Id ? n with { AllocatedTo = null } : null, cancellationToken);
        }

        if (results.Any(n => n is { State: NodeState.Failed }))
        {
            var declined = RequestDecider.Declined(request, PoolId, registeredPools, now);
            LogDeclined(_logger, request.Id, PoolId.ToString(), declined.State.ToWire());
            return declined;
        }

        LogReleased(_logger, request.Id, PoolId.ToString());
        return request with { State = NodeRequestState.Requested, StateTime = now };
    }

    // Reuse: lock the node, check it is still ready and free, allocate it, unlock (ready nodes rest unlocked).
    private async Task<Node?> TryAllocateAsync(string nodeId, string requestId, CancellationToken cancellationToken)
    {
        await using var nodeLock = await _store.TryLockNodeAsync(nodeId, cancellationToken);
        if (nodeLock is null)
        {
            return null;
        }

        return await _store.UpdateNodeAsync(nodeId, n => n is { State: NodeState.Ready, AllocatedTo: null } ? n with { AllocatedTo = requestId } : null, cancellationToken);
    }

    // Tries until ready or out of tries. The node is locked by this handler throughout, so its plain saves cannot
    // overwrite anyone else's change (every writer of a node holds its lock or compares versions). Returns the ready node, a failed node, or null when the provider was full
    // (aborted: the record is removed and the request released).
    private async Task<Node?> LaunchAsync(Node node, CancellationToken cancellationToken)
    {
        var label = node.Labels[0];
        string? lastError = null;
        for (var attempt = 1; attempt <= _providerConfig.LaunchRetries; attempt++)
        {
            string? externalId = null;
            try
            {
                var made = await _provider.CreateAsync(new NodeLaunch(node.Id, label, _pool.Name), cancellationToken);
                externalId = made.ExternalId;
                node = node with { ExternalId = externalId };
                await _store.SaveNodeAsync(node, cancellationToken);
                var ready = await _provider.WaitReadyAsync(made, cancellationToken);
                node = Describe(node, ready).WithState(NodeState.Ready, _time.GetUtcNow());
                await _store.SaveNodeAsync(node, cancellationToken);
                return node;
            }
            catch (ProviderQuotaException e)
            {
                LogAborted(_logger, node.Id, e.Message);
                await _store.DeleteNodeAsync(node.Id, cancellationToken);
                return null;
            }
            catch (NodeLaunchException e)
            {
                lastError = e.Message;
                LogLaunchFailed(_logger, node.Id, attempt, _providerConfig.LaunchRetries, e.Message);
                if ((e.ExternalId ?? externalId) is { } made)
                {
                    await _provider.DeleteAsync(made, cancellationToken);
                }

                node = node with { ExternalId = null };
            }
        }

        node = node.WithState(NodeState.Failed, _time.GetUtcNow()) with { Comment = lastError };
        await _store.SaveNodeAsync(node, cancellationToken);
        return node;
    }

    private static Node Describe(Node node, ProviderNode made) => node with
    {
        ExternalId = made.ExternalId,
        Hostname = made.Hostname,
        InterfaceIp = made.InterfaceIp,
        ConnectionPort = made.ConnectionPort,
        ConnectionType = made.ConnectionType,
        Username = made.Username,
        PythonPath = made.PythonPath,
        ShellType = made.ShellType,
        HostKeys = made.HostKeys,
        Slot = made.Slot,
    };

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Request {Request} fulfilled by {Pool}")]
    private static partial void LogFulfilled(ILogger logger, string request, string pool);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Request {Request} declined by {Pool}; now {State}")]
    private static partial void LogDeclined(ILogger logger, string request, string pool, string state);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Information, Message = "Request {Request} released by {Pool}: provider at quota")]
    private static partial void LogReleased(ILogger logger, string request, string pool);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Warning, Message = "Launch of node {Node} failed (try {Attempt} of {Tries}): {Error}")]
    private static partial void LogLaunchFailed(ILogger logger, string node, int attempt, int tries, string error);

    [LoggerMessage(EventId = 4205, Level = LogLevel.Information, Message = "Launch of node {Node} aborted: {Reason}")]
    private static partial void LogAborted(ILogger logger, string node, string reason);
}

/// <summary>A request after <see cref="RequestHandler.PrepareAsync"/>: its nodes, with the locks of those to launch.</summary>
public sealed record PreparedRequest(NodeRequest Request, ImmutableArray<PreparedNode> Nodes);

/// <summary>One node of a prepared request; <see cref="Lock"/> is held while it is launched (null when reused).</summary>
public sealed record PreparedNode(Node Node, IAsyncDisposable? Lock);

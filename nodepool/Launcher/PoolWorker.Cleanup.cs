using System.Collections.Immutable;
using Gating.Model;
using Gating.Nodepool.Decisions;
using Microsoft.Extensions.Logging;

namespace Gating.Nodepool.Launcher;

/// <summary>The cleanup half of a pool worker (Nodepool's CleanupWorker and DeletedNodeWorker).</summary>
public sealed partial class PoolWorker
{
    /// <summary>
    /// Deletes this pool's unlocked used/failed/orphaned nodes, expired ready and held nodes, and (for the
    /// provider's first pool) instances no record knows; frees ready nodes of vanished requests; puts pending
    /// requests without a lock back to requested.
    /// </summary>
    public async Task CleanupAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        // Instances before records: a record is written before its instance, so every instance listed here whose
        // record is missing below is truly leaked, not just launched.
        var firstPool = _provider.Pools.Length > 0 && _provider.Pools[0].Name == _pool.Name;
        var instances = firstPool ? await _nodeProvider.ListAsync(cancellationToken) : [];
        var (lockedRequests, lockedNodes) = await _store.LockedAsync(cancellationToken);
        var nodes = await _store.NodesAsync(cancellationToken);
        var requests = await _store.RequestsAsync(cancellationToken);
        var providerNodes = nodes.Where(n => n.Provider == _provider.Name).ToImmutableArray();

        var plan = Cleanup.Plan(new CleanupSnapshot(
            [.. providerNodes.Where(n => n.Pool == _pool.Name)], lockedNodes, requests, lockedRequests, instances, now));
        // Leak detection must know every node of the provider, not only this pool's.
        var known = providerNodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var leaked = instances.Where(i => !known.Contains(i.NodeId)).Select(i => i.ExternalId);

        var ownNodes = providerNodes.Where(n => n.Pool == _pool.Name).ToList();
        var delete = plan.DeleteNodes.Select(d => d.Node)
            .Concat(ReadyNodes.ExpiredReady(_config, ownNodes, now))
            .Concat(Autohold.Expired(ownNodes, now, _config.MaxHoldAge))
            .Concat(ownNodes.Where(n => n.State == NodeState.Deleting && !lockedNodes.Contains(n.Id)))
            .DistinctBy(n => n.Id);
        foreach (var node in delete)
        {
            await DeleteNodeAsync(node, cancellationToken);
        }

        foreach (var node in plan.FreeNodes)
        {
            await using var nodeLock = await _store.TryLockNodeAsync(node.Id, cancellationToken);
            if (nodeLock is not null)
            {
                var wasAllocatedTo = nodes.First(n => n.Id == node.Id).AllocatedTo;
                await _store.UpdateNodeAsync(node.Id, n => n is { State: NodeState.Ready } && n.AllocatedTo == wasAllocatedTo ? n with { AllocatedTo = null } : null, cancellationToken);
            }
        }

        foreach (var request in plan.ResetRequests)
        {
            await using var requestLock = await _store.TryLockRequestAsync(request.Id, cancellationToken);
            if (requestLock is not null && await _store.UpdateRequestAsync(request.Id,
                r => r.State == NodeRequestState.Pending ? r with { State = NodeRequestState.Requested, StateTime = now } : null, cancellationToken) is not null)
            {
                LogLostRequest(_logger, request.Id);
            }
        }

        foreach (var externalId in leaked)
        {
            LogLeaked(_logger, externalId, _provider.Name);
            await _nodeProvider.DeleteAsync(externalId, cancellationToken);
        }
    }

    // Lock, mark deleting, delete the instance, remove the record. A node someone holds is left for later, and so is
    // one that changed since the snapshot the decision was made on (a ready node allocated meanwhile).
    private async Task DeleteNodeAsync(Node observed, CancellationToken cancellationToken)
    {
        var id = observed.Id;
        await using var nodeLock = await _store.TryLockNodeAsync(id, cancellationToken);
        if (nodeLock is null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var node = await _store.UpdateNodeAsync(id,
            n => n.State == observed.State && n.AllocatedTo == observed.AllocatedTo ? n.WithState(NodeState.Deleting, now) : null, cancellationToken);
        if (node is null)
        {
            return;
        }

        if (node.ExternalId is { } externalId)
        {
            await _nodeProvider.DeleteAsync(externalId, cancellationToken);
        }

        await _store.DeleteNodeAsync(id, cancellationToken);
        LogNodeDeleted(_logger, id, observed.State.ToWire());
    }

    [LoggerMessage(EventId = 4311, Level = LogLevel.Information, Message = "Deleted node {Node} (was {State})")]
    private static partial void LogNodeDeleted(ILogger logger, string node, string state);

    [LoggerMessage(EventId = 4312, Level = LogLevel.Warning, Message = "Request {Request} lost its launcher; back to requested")]
    private static partial void LogLostRequest(ILogger logger, string request);

    [LoggerMessage(EventId = 4313, Level = LogLevel.Warning, Message = "Deleting leaked instance {Instance} of provider {Provider}")]
    private static partial void LogLeaked(ILogger logger, string instance, string provider);
}

using System.Collections.Immutable;
using Gating.Model;
using Gating.Nodepool.Decisions;

namespace Gating.Nodepool.Launcher;

/// <summary>
/// Where a launcher keeps node requests, nodes, locks and pool registrations, as one launcher session sees them.
/// The ZooKeeper store maps it onto reference/zuul.md 1.4 (/nodepool/requests, /nodepool/requests-lock,
/// /nodepool/nodes/&lt;id&gt;/lock, /nodepool/components/pool) with locks and registrations as ephemeral znodes
/// of the session; <see cref="InMemoryNodeStore"/> has the same semantics in process.
/// </summary>
public interface INodeStore
{
    /// <summary>Every node record.</summary>
    Task<ImmutableArray<Node>> NodesAsync(CancellationToken cancellationToken);

    /// <summary>Every request.</summary>
    Task<ImmutableArray<NodeRequest>> RequestsAsync(CancellationToken cancellationToken);

    /// <summary>A new unique node id (zero-padded sequence).</summary>
    Task<string> NewNodeIdAsync(CancellationToken cancellationToken);

    /// <summary>Creates or replaces a node record.</summary>
    Task SaveNodeAsync(Node node, CancellationToken cancellationToken);

    /// <summary>Removes a node record; nothing when it is gone.</summary>
    Task DeleteNodeAsync(string id, CancellationToken cancellationToken);

    /// <summary>Submits a request; returns it with its id "&lt;priority&gt;-&lt;sequence&gt;".</summary>
    Task<NodeRequest> SubmitRequestAsync(NodeRequest request, CancellationToken cancellationToken);

    /// <summary>Replaces a request; false when it no longer exists (its requestor deleted it).</summary>
    Task<bool> SaveRequestAsync(NodeRequest request, CancellationToken cancellationToken);

    /// <summary>Removes a request; nothing when it is gone.</summary>
    Task DeleteRequestAsync(string id, CancellationToken cancellationToken);

    /// <summary>Takes a request's lock without waiting; null when another session holds it.</summary>
    Task<IAsyncDisposable?> TryLockRequestAsync(string id, CancellationToken cancellationToken);

    /// <summary>Takes a node's lock without waiting; null when another session holds it.</summary>
    Task<IAsyncDisposable?> TryLockNodeAsync(string id, CancellationToken cancellationToken);

    /// <summary>The ids of requests and of nodes whose lock someone holds.</summary>
    Task<(ImmutableHashSet<string> Requests, ImmutableHashSet<string> Nodes)> LockedAsync(CancellationToken cancellationToken);

    /// <summary>Registers (or updates) a pool of this session; it disappears with the session.</summary>
    Task RegisterPoolAsync(PoolView pool, CancellationToken cancellationToken);

    /// <summary>Every registered pool of every live session.</summary>
    Task<ImmutableArray<PoolView>> PoolsAsync(CancellationToken cancellationToken);
}

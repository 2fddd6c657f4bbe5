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

    /// <summary>One node record, or null when it does not exist.</summary>
    Task<Node?> NodeAsync(string id, CancellationToken cancellationToken);

    /// <summary>One request, or null when it does not exist.</summary>
    Task<NodeRequest?> RequestAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Read-modify-write of a node with compare-and-set: reads the record, applies <paramref name="change"/>, and
    /// writes the result only if nobody wrote the record in between; on a conflict it reads again and applies the
    /// change to the fresh record, so no update is lost. <paramref name="change"/> returns null to write nothing.
    /// Returns the record as written, or null when it does not exist or the change wrote nothing.
    /// </summary>
    Task<Node?> UpdateNodeAsync(string id, Func<Node, Node?> change, CancellationToken cancellationToken);

    /// <summary>Read-modify-write of a request with compare-and-set, as <see cref="UpdateNodeAsync"/>.</summary>
    Task<NodeRequest?> UpdateRequestAsync(string id, Func<NodeRequest, NodeRequest?> change, CancellationToken cancellationToken);

    /// <summary>
    /// Calls <paramref name="changed"/> after requests or nodes change (at least once per change, possibly more
    /// often, on any thread; it must not block) until the returned handle is disposed. A launcher waits on it
    /// instead of polling.
    /// </summary>
    Task<IAsyncDisposable> WatchAsync(Action changed, CancellationToken cancellationToken);

    /// <summary>Removes lock znodes of requests that no longer exist and that nobody holds (Nodepool's stale lock cleanup).</summary>
    Task RemoveStaleLocksAsync(CancellationToken cancellationToken);

    /// <summary>Creates or replaces a node record without a version check (new records; see <see cref="UpdateNodeAsync"/>).</summary>
    Task SaveNodeAsync(Node node, CancellationToken cancellationToken);

    /// <summary>Removes a node record; nothing when it is gone.</summary>
    Task DeleteNodeAsync(string id, CancellationToken cancellationToken);

    /// <summary>Submits a request; returns it with its id "&lt;priority&gt;-&lt;sequence&gt;".</summary>
    Task<NodeRequest> SubmitRequestAsync(NodeRequest request, CancellationToken cancellationToken);

    /// <summary>Replaces a request without a version check; false when it no longer exists (its requestor deleted it).
    /// Prefer <see cref="UpdateRequestAsync"/>: requestors change requests too (relative priority).</summary>
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

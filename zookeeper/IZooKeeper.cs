namespace Gating.ZooKeeper;

/// <summary>
/// The ZooKeeper data model as an async API. Implemented by <c>ZooKeeperClient</c> (the real wire protocol) and
/// <c>EmbeddedZooKeeper</c> (the same semantics in process, durable on disk). Paths are absolute, '/'-separated;
/// with a chroot they are relative to it. Watch callbacks are delivered in server order on one event loop per
/// session and must not block.
/// </summary>
public interface IZooKeeper : IAsyncDisposable
{
    /// <summary>The session id; 0 before the first connect.</summary>
    long SessionId { get; }

    /// <summary>The session timeout the server agreed to.</summary>
    TimeSpan NegotiatedSessionTimeout { get; }

    /// <summary>The current connection state.</summary>
    ConnectionState State { get; }

    /// <summary>Raised on every state change, in order, on the event loop.</summary>
    event Action<ConnectionState>? StateChanged;

    /// <summary>Creates a znode and returns its actual path (with the sequence suffix for sequential modes).</summary>
    Task<CreateResult> CreateAsync(string path, ReadOnlyMemory<byte> data, CreateOptions options, CancellationToken cancellationToken);

    /// <summary>Deletes a znode if its version matches (<see cref="ZooKeeperVersion.Any"/> for any).</summary>
    Task DeleteAsync(string path, int version, CancellationToken cancellationToken);

    /// <summary>Returns the node's stat or null; sets a one-shot watch (created/deleted/data) when a watcher is given.</summary>
    Task<Stat?> ExistsAsync(string path, Watcher? watcher, CancellationToken cancellationToken);

    /// <summary>Reads a node's data; sets a one-shot data watch when a watcher is given.</summary>
    Task<DataResult> GetDataAsync(string path, Watcher? watcher, CancellationToken cancellationToken);

    /// <summary>Writes a node's data if its version matches.</summary>
    Task<Stat> SetDataAsync(string path, ReadOnlyMemory<byte> data, int version, CancellationToken cancellationToken);

    /// <summary>Lists a node's children (unordered names) with its stat; sets a one-shot child watch when given.</summary>
    Task<ChildrenResult> GetChildrenAsync(string path, Watcher? watcher, CancellationToken cancellationToken);

    /// <summary>Counts every descendant of a node.</summary>
    Task<int> GetAllChildrenNumberAsync(string path, CancellationToken cancellationToken);

    /// <summary>Waits until this session's server has caught up with the leader.</summary>
    Task SyncAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Runs the operations atomically. On success returns one result per op. On failure nothing is applied and a
    /// <see cref="ZooKeeperMultiException"/> carries one <see cref="OpResult.Error"/> per op, as the server reports:
    /// ops before the failing one <see cref="ErrorCode.Ok"/>, the failing one its code, the rest
    /// <see cref="ErrorCode.RuntimeInconsistency"/>.
    /// </summary>
    Task<IReadOnlyList<OpResult>> MultiAsync(IReadOnlyList<Op> ops, CancellationToken cancellationToken);

    /// <summary>Reads a node's ACL.</summary>
    Task<AclResult> GetAclAsync(string path, CancellationToken cancellationToken);

    /// <summary>Replaces a node's ACL if its ACL version matches.</summary>
    Task<Stat> SetAclAsync(string path, IReadOnlyList<Acl> acl, int aclVersion, CancellationToken cancellationToken);

    /// <summary>Adds credentials to the session (e.g. scheme "digest", "user:password").</summary>
    Task AddAuthAsync(string scheme, ReadOnlyMemory<byte> auth, CancellationToken cancellationToken);

    /// <summary>Adds a persistent or persistent-recursive watch (opcode 106). It stays until removed.</summary>
    Task AddWatchAsync(string path, AddWatchMode mode, Watcher watcher, CancellationToken cancellationToken);

    /// <summary>Removes the given watcher (or every watcher of that type when null) from a path.</summary>
    Task RemoveWatchesAsync(string path, WatcherType type, Watcher? watcher, CancellationToken cancellationToken);
}

/// <summary>A watch callback. Called on the session's event loop; must not block.</summary>
public delegate void Watcher(WatchedEvent watchedEvent);

/// <summary>Well-known version values.</summary>
public static class ZooKeeperVersion
{
    /// <summary>Matches any version.</summary>
    public const int Any = -1;
}

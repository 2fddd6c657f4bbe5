using Gating.ZooKeeper;

namespace Gating.Testing.Cluster;

/// <summary>ZooKeeper operation counts of the sessions a <see cref="CountingZooKeeper"/> wraps.</summary>
public sealed class ZooKeeperOpCounter
{
    private long _reads;
    private long _writes;
    private long _transactions;

    /// <summary>Reads (get data, get children, exists, child counts).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Writes (create, set, delete, and each operation of a multi).</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>
    /// Write requests sent (a create, set or delete is one; a multi is one however many operations it holds): what
    /// ZooKeeper commits as one transaction, one zxid and one log append.
    /// </summary>
    public long Transactions => Interlocked.Read(ref _transactions);

    internal void Read() => Interlocked.Increment(ref _reads);

    internal void Write(int count = 1)
    {
        Interlocked.Add(ref _writes, count);
        Interlocked.Increment(ref _transactions);
    }
}

/// <summary>A session that counts the operations it sends (benchmarks report ZooKeeper reads and writes).</summary>
public sealed class CountingZooKeeper(IZooKeeper inner, ZooKeeperOpCounter counter) : IZooKeeper
{
    /// <inheritdoc/>
    public long SessionId => inner.SessionId;

    /// <inheritdoc/>
    public TimeSpan NegotiatedSessionTimeout => inner.NegotiatedSessionTimeout;

    /// <inheritdoc/>
    public ConnectionState State => inner.State;

    /// <inheritdoc/>
    public event Action<ConnectionState>? StateChanged
    {
        add => inner.StateChanged += value;
        remove => inner.StateChanged -= value;
    }

    /// <inheritdoc/>
    public Task<CreateResult> CreateAsync(string path, ReadOnlyMemory<byte> data, CreateOptions options, CancellationToken cancellationToken)
    {
        counter.Write();
        return inner.CreateAsync(path, data, options, cancellationToken);
    }

    /// <inheritdoc/>
    public Task DeleteAsync(string path, int version, CancellationToken cancellationToken)
    {
        counter.Write();
        return inner.DeleteAsync(path, version, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<Stat?> ExistsAsync(string path, Watcher? watcher, CancellationToken cancellationToken)
    {
        counter.Read();
        return inner.ExistsAsync(path, watcher, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<DataResult> GetDataAsync(string path, Watcher? watcher, CancellationToken cancellationToken)
    {
        counter.Read();
        return inner.GetDataAsync(path, watcher, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<Stat> SetDataAsync(string path, ReadOnlyMemory<byte> data, int version, CancellationToken cancellationToken)
    {
        counter.Write();
        return inner.SetDataAsync(path, data, version, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ChildrenResult> GetChildrenAsync(string path, Watcher? watcher, CancellationToken cancellationToken)
    {
        counter.Read();
        return inner.GetChildrenAsync(path, watcher, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<int> GetAllChildrenNumberAsync(string path, CancellationToken cancellationToken)
    {
        counter.Read();
        return inner.GetAllChildrenNumberAsync(path, cancellationToken);
    }

    /// <inheritdoc/>
    public Task SyncAsync(string path, CancellationToken cancellationToken) => inner.SyncAsync(path, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<OpResult>> MultiAsync(IReadOnlyList<Op> ops, CancellationToken cancellationToken)
    {
        counter.Write(ops.Count(o => o is not Op.Check));
        return inner.MultiAsync(ops, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<AclResult> GetAclAsync(string path, CancellationToken cancellationToken) => inner.GetAclAsync(path, cancellationToken);

    /// <inheritdoc/>
    public Task<Stat> SetAclAsync(string path, IReadOnlyList<Acl> acl, int aclVersion, CancellationToken cancellationToken) =>
        inner.SetAclAsync(path, acl, aclVersion, cancellationToken);

    /// <inheritdoc/>
    public Task AddAuthAsync(string scheme, ReadOnlyMemory<byte> auth, CancellationToken cancellationToken) => inner.AddAuthAsync(scheme, auth, cancellationToken);

    /// <inheritdoc/>
    public Task AddWatchAsync(string path, AddWatchMode mode, Watcher watcher, CancellationToken cancellationToken) =>
        inner.AddWatchAsync(path, mode, watcher, cancellationToken);

    /// <inheritdoc/>
    public Task RemoveWatchesAsync(string path, WatcherType type, Watcher? watcher, CancellationToken cancellationToken) =>
        inner.RemoveWatchesAsync(path, type, watcher, cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

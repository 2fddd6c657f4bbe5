using Gating.ZooKeeper;

namespace Gating.Coordination.Tests.Infrastructure;

/// <summary>
/// A session seen through a connection that the test can drop and restore: while "suspended" it reports
/// <see cref="ConnectionState.Suspended"/> and swallows watch events (as a real disconnection loses the changes
/// made meanwhile); on resume it reports Connected again. Calls pass through to the real session.
/// </summary>
public sealed class SuspendableZooKeeper(IZooKeeper inner) : IZooKeeper
{
    private volatile bool _suspended;

    public long SessionId => inner.SessionId;

    public TimeSpan NegotiatedSessionTimeout => inner.NegotiatedSessionTimeout;

    public ConnectionState State => _suspended ? ConnectionState.Suspended : inner.State;

    public event Action<ConnectionState>? StateChanged;

    public void Suspend()
    {
        _suspended = true;
        StateChanged?.Invoke(ConnectionState.Suspended);
    }

    public void Resume()
    {
        _suspended = false;
        StateChanged?.Invoke(ConnectionState.Connected);
    }

    private Watcher? Filter(Watcher? watcher) => watcher is null ? null : e =>
    {
        if (!_suspended)
        {
            watcher(e);
        }
    };

    public Task<CreateResult> CreateAsync(string path, ReadOnlyMemory<byte> data, CreateOptions options, CancellationToken cancellationToken) =>
        inner.CreateAsync(path, data, options, cancellationToken);

    public Task DeleteAsync(string path, int version, CancellationToken cancellationToken) => inner.DeleteAsync(path, version, cancellationToken);

    public Task<Stat?> ExistsAsync(string path, Watcher? watcher, CancellationToken cancellationToken) =>
        inner.ExistsAsync(path, Filter(watcher), cancellationToken);

    public Task<DataResult> GetDataAsync(string path, Watcher? watcher, CancellationToken cancellationToken) =>
        inner.GetDataAsync(path, Filter(watcher), cancellationToken);

    public Task<Stat> SetDataAsync(string path, ReadOnlyMemory<byte> data, int version, CancellationToken cancellationToken) =>
        inner.SetDataAsync(path, data, version, cancellationToken);

    public Task<ChildrenResult> GetChildrenAsync(string path, Watcher? watcher, CancellationToken cancellationToken) =>
        inner.GetChildrenAsync(path, Filter(watcher), cancellationToken);

    public Task<int> GetAllChildrenNumberAsync(string path, CancellationToken cancellationToken) => inner.GetAllChildrenNumberAsync(path, cancellationToken);

    public Task SyncAsync(string path, CancellationToken cancellationToken) => inner.SyncAsync(path, cancellationToken);

    public Task<IReadOnlyList<OpResult>> MultiAsync(IReadOnlyList<Op> ops, CancellationToken cancellationToken) => inner.MultiAsync(ops, cancellationToken);

    public Task<AclResult> GetAclAsync(string path, CancellationToken cancellationToken) => inner.GetAclAsync(path, cancellationToken);

    public Task<Stat> SetAclAsync(string path, IReadOnlyList<Acl> acl, int aclVersion, CancellationToken cancellationToken) =>
        inner.SetAclAsync(path, acl, aclVersion, cancellationToken);

    public Task AddAuthAsync(string scheme, ReadOnlyMemory<byte> auth, CancellationToken cancellationToken) => inner.AddAuthAsync(scheme, auth, cancellationToken);

    // The filter wraps the watcher in a new delegate, so removal is by type only.
    public Task AddWatchAsync(string path, AddWatchMode mode, Watcher watcher, CancellationToken cancellationToken) =>
        inner.AddWatchAsync(path, mode, Filter(watcher)!, cancellationToken);

    public Task RemoveWatchesAsync(string path, WatcherType type, Watcher? watcher, CancellationToken cancellationToken) =>
        inner.RemoveWatchesAsync(path, type, null, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

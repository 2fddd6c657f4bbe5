using System.Collections.Immutable;
using Gating.Coordination;
using Gating.ZooKeeper;

namespace Gating.Nodepool.Store;

/// <summary>Locks and watches of <see cref="ZooKeeperNodeStore"/>.</summary>
public sealed partial class ZooKeeperNodeStore
{
    /// <summary>
    /// Takes /requests-lock/&lt;id&gt; without waiting; null when another contender holds it. The handle is a
    /// <see cref="LockHandle"/>: its LostToken fires if the session is lost while it is held.
    /// </summary>
    public async Task<IAsyncDisposable?> TryLockRequestAsync(string id, CancellationToken cancellationToken) =>
        await ZkLock.Exclusive(_zk, $"{RequestLocks}/{id}", _time, _identifier).TryAcquireAsync(cancellationToken);

    /// <summary>
    /// Takes /nodes/&lt;id&gt;/lock without waiting; null when another contender holds it or the node's znode does
    /// not exist. A fresh id's znode (empty until its first save) can be locked, so a launcher holds the lock of a
    /// node before its record says "building" and no cleanup ever sees that record unlocked.
    /// </summary>
    public async Task<IAsyncDisposable?> TryLockNodeAsync(string id, CancellationToken cancellationToken) =>
        await ZkLock.Exclusive(_zk, $"{NodePath(id)}/lock", _time, _identifier).TryAcquireWhileExistsAsync(NodePath(id), cancellationToken);

    /// <inheritdoc/>
    public async Task<(ImmutableHashSet<string> Requests, ImmutableHashSet<string> Nodes)> LockedAsync(CancellationToken cancellationToken)
    {
        var requestIds = await _zk.TryGetChildrenAsync(RequestLocks, cancellationToken);
        var nodeIds = await _zk.TryGetChildrenAsync(Nodes, cancellationToken);
        var requests = await Task.WhenAll(requestIds.Select(async id => (id, locked: await ZkLock.IsLockedAsync(_zk, $"{RequestLocks}/{id}", cancellationToken))));
        var nodes = await Task.WhenAll(nodeIds.Select(async id => (id, locked: await ZkLock.IsLockedAsync(_zk, $"{NodePath(id)}/lock", cancellationToken))));
        return (requests.Where(r => r.locked).Select(r => r.id).ToImmutableHashSet(StringComparer.Ordinal),
            nodes.Where(n => n.locked).Select(n => n.id).ToImmutableHashSet(StringComparer.Ordinal));
    }

    /// <inheritdoc/>
    public async Task RemoveStaleLocksAsync(CancellationToken cancellationToken)
    {
        var requests = (await _zk.TryGetChildrenAsync(Requests, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        foreach (var id in (await _zk.TryGetChildrenAsync(RequestLocks, cancellationToken)).Where(id => !requests.Contains(id)))
        {
            await RemoveLockIfFreeAsync($"{RequestLocks}/{id}", cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async Task<IAsyncDisposable> WatchAsync(Action changed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changed);
        Watcher watcher = _ => changed();
        await _zk.AddWatchAsync(Requests, AddWatchMode.PersistentRecursive, watcher, cancellationToken);
        await _zk.AddWatchAsync(Nodes, AddWatchMode.PersistentRecursive, watcher, cancellationToken);
        return new Unwatch(this, watcher);
    }

    // Deletes a lock znode (the parent of the contenders) when nobody contends for it; NotEmpty means someone does.
    private async Task RemoveLockIfFreeAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await _zk.DeleteAsync(path, ZooKeeperVersion.Any, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code is ErrorCode.NoNode or ErrorCode.NotEmpty)
        {
        }
    }

    private sealed class Unwatch(ZooKeeperNodeStore store, Watcher watcher) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var path in new[] { store.Requests, store.Nodes })
            {
                try
                {
                    await store._zk.RemoveWatchesAsync(path, WatcherType.PersistentRecursive, watcher, CancellationToken.None);
                }
                catch (ZooKeeperException)
                {
                    // Gone with the session, or never re-added after a loss: nothing to remove.
                }
            }
        }
    }
}

using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>Watching for work, and cleaning up after workers that died.</summary>
public sealed partial class JobRequestQueue<TData>
{
    /// <summary>
    /// Calls <paramref name="onChange"/> (on the session's event loop; it must not block) whenever a request is added,
    /// changed, signalled or removed, and after a reconnect, when changes may have been missed. Dispose the result to
    /// stop watching.
    /// </summary>
    public async Task<IAsyncDisposable> WatchAsync(Action onChange, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        await _zk.EnsurePathAsync(RequestsPath, cancellationToken);
        var subscription = new RequestWatch(_zk, RequestsPath, onChange);
        await _zk.AddWatchAsync(RequestsPath, AddWatchMode.PersistentRecursive, subscription.Watcher, cancellationToken);
        return subscription;
    }

    /// <summary>Running or paused requests whose worker no longer holds the lock: its session ended. The owner
    /// should lock each one and requeue or complete it (Zuul synthesises a completion so the build is retried).</summary>
    public async Task<IReadOnlyList<JobRequest<TData>>> GetOrphansAsync(CancellationToken cancellationToken)
    {
        var orphans = new List<JobRequest<TData>>();
        foreach (var request in await GetRequestsAsync(cancellationToken))
        {
            if (request.State is JobRequestState.Running or JobRequestState.Paused
                && !await ZkLock.IsLockedAsync(_zk, LockPath(request.Uuid), cancellationToken))
            {
                orphans.Add(request);
            }
        }
        return orphans;
    }

    /// <summary>Deletes lock nodes whose request is gone and that nobody holds; returns how many.</summary>
    public async Task<int> CleanupLocksAsync(CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var uuid in await _zk.TryGetChildrenAsync(Root + "/locks", cancellationToken))
        {
            if (await _zk.ExistsAsync(RequestPath(uuid), null, cancellationToken) is not null)
            {
                continue;
            }
            try
            {
                await _zk.DeleteAsync(LockPath(uuid), ZooKeeperVersion.Any, cancellationToken);
                removed++;
            }
            catch (ZooKeeperException e) when (e.Code is ErrorCode.NotEmpty or ErrorCode.NoNode)
            {
                // Held (or being taken) right now, or removed by another cleaner.
            }
        }
        return removed;
    }

    private sealed class RequestWatch : IAsyncDisposable
    {
        private readonly IZooKeeper _zk;
        private readonly string _path;
        private readonly Action _onChange;
        private ConnectionState _last;

        public RequestWatch(IZooKeeper zk, string path, Action onChange)
        {
            _zk = zk;
            _path = path;
            _onChange = onChange;
            _last = zk.State;
            Watcher = OnEvent;
            _zk.StateChanged += OnState;
        }

        /// <summary>One delegate instance, so that removing the watch finds it.</summary>
        public Watcher Watcher { get; }

        private void OnEvent(WatchedEvent e)
        {
            if (e.Type is not WatchedEventType.PersistentWatchRemoved)
            {
                _onChange();
            }
        }

        private void OnState(ConnectionState state)
        {
            var resumed = state == ConnectionState.Connected && _last == ConnectionState.Suspended;
            _last = state;
            if (resumed)
            {
                _onChange();
            }
        }

        public async ValueTask DisposeAsync()
        {
            _zk.StateChanged -= OnState;
            if (_zk.State == ConnectionState.Connected)
            {
                try
                {
                    await _zk.RemoveWatchesAsync(_path, WatcherType.PersistentRecursive, Watcher, CancellationToken.None);
                }
                catch (ZooKeeperException e) when (e.Code is ErrorCode.NoWatcher or ErrorCode.NoNode)
                {
                    // Already gone.
                }
            }
        }
    }
}

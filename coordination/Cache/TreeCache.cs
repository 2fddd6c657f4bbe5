using System.Collections.Immutable;
using System.Threading.Channels;
using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>
/// A local copy of a subtree, fed by one persistent recursive watch:
/// <code>
/// addWatch(root, recursive) ──events──▶ channel ──▶ loop: re-read the node ──▶ new snapshot + Changed
/// StartAsync / Suspended→Connected ──▶ channel ──▶ loop: walk the whole tree, diff, replace
/// </code>
/// The watch is set before the first walk, so nothing between them is missed; each event makes the loop read the
/// node again rather than trust the event, so the cache converges on the server's state. While the connection is
/// down events may be missed (persistent watches are re-registered on reconnect, but the server does not replay
/// what happened meanwhile), so a reconnect triggers a full walk. Snapshots are immutable; <see cref="Changed"/>
/// runs on the cache's loop, never on the session's event loop.
/// </summary>
public sealed partial class TreeCache : IAsyncDisposable
{
    private readonly IZooKeeper _zk;
    private readonly Channel<WatchedEvent?> _work = Channel.CreateUnbounded<WatchedEvent?>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Watcher _watcher;
    private readonly Lock _lock = new();
    private TreeSnapshot _snapshot = TreeSnapshot.Empty;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ConnectionState _lastState;
    private Task? _loop;
    private volatile bool _synced;
    private volatile bool _stopped;

    public TreeCache(IZooKeeper zk, string root)
    {
        ArgumentNullException.ThrowIfNull(zk);
        ArgumentException.ThrowIfNullOrEmpty(root);
        _zk = zk;
        Root = root;
        _watcher = e => _work.Writer.TryWrite(e);
    }

    public string Root { get; }

    /// <summary>The cache as of now.</summary>
    public TreeSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>True after a full walk, until the connection drops (false again until the walk after reconnecting).</summary>
    public bool IsSynced => _synced;

    /// <summary>Raised for every change, in order, on the cache's loop.</summary>
    public event Action<TreeCacheEvent>? Changed;

    /// <summary>Sets the watch, loads the tree, and returns once the first load is in the cache.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("the tree cache is already started");
        }
        _lastState = _zk.State;
        _zk.StateChanged += OnStateChanged;
        await _zk.AddWatchAsync(Root, AddWatchMode.PersistentRecursive, _watcher, cancellationToken);
        _work.Writer.TryWrite(null); // null asks for a full walk
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        await WaitUntilAsync(_ => _synced, cancellationToken);
    }

    /// <summary>Returns once <paramref name="condition"/> holds for the snapshot (checked now and after each change).</summary>
    public async Task<TreeSnapshot> WaitUntilAsync(Func<TreeSnapshot, bool> condition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(condition);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                changed = _changed.Task;
            }
            var snapshot = Snapshot;
            if (condition(snapshot))
            {
                return snapshot;
            }
            if (_stopped)
            {
                throw new InvalidOperationException("the tree cache has stopped (its session ended)");
            }
            await changed.WaitAsync(cancellationToken);
        }
    }

    private void OnStateChanged(ConnectionState state)
    {
        var previous = _lastState;
        _lastState = state;
        switch (state)
        {
            case ConnectionState.Suspended:
                _synced = false;
                break;
            case ConnectionState.Connected when previous == ConnectionState.Suspended:
                _work.Writer.TryWrite(null);
                break;
            case ConnectionState.Lost or ConnectionState.Closed:
                _synced = false;
                _work.Writer.TryComplete();
                break;
        }
    }

    /// <summary>Stops following the server and removes the watch.</summary>
    public async ValueTask DisposeAsync()
    {
        _zk.StateChanged -= OnStateChanged;
        _work.Writer.TryComplete();
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }
        _stopped = true;
        lock (_lock)
        {
            _changed.TrySetResult(); // wakes waiters, who now see the cache stopped
        }
        if (_zk.State == ConnectionState.Connected)
        {
            try
            {
                await _zk.RemoveWatchesAsync(Root, WatcherType.PersistentRecursive, _watcher, CancellationToken.None);
            }
            catch (ZooKeeperException e) when (e.Code is ErrorCode.NoWatcher or ErrorCode.NoNode)
            {
                // Already gone.
            }
        }
        _stopping.Dispose();
    }
}

using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>
/// A held lock (or leadership): the contender node exists and nothing ahead blocks it. The holder must stop acting
/// on what the lock protects once <see cref="LostToken"/> fires (the session was lost or closed, stayed suspended
/// too long, or the node was deleted). Disposing releases it.
/// </summary>
public sealed class LockHandle : IAsyncDisposable
{
    private readonly IZooKeeper _zk;
    private readonly SessionLossWatch _loss;
    private int _released;

    internal LockHandle(IZooKeeper zk, string lockPath, string nodePath, SessionLossWatch loss)
    {
        _zk = zk;
        LockPath = lockPath;
        NodePath = nodePath;
        _loss = loss;
        _loss.Lost += reason => Lost?.Invoke(reason);
    }

    /// <summary>The lock's path (the parent of the contender nodes).</summary>
    public string LockPath { get; }

    /// <summary>This holder's ephemeral sequential contender node.</summary>
    public string NodePath { get; }

    /// <summary>The zxid that created the contender node: a logical time for "since when held" (a fencing token).</summary>
    public long Czxid { get; internal set; }

    /// <summary>Cancelled once the lock can no longer be trusted. Already cancelled tokens invoke registrations at once.</summary>
    public CancellationToken LostToken => _loss.Token;

    /// <summary>True once the lock was lost (not when it was released).</summary>
    public bool IsLost => _loss.Reason is not null;

    /// <summary>Why the lock was lost, once it was.</summary>
    public LossReason? LossReason => _loss.Reason;

    /// <summary>Raised once, on the thread pool, when the lock is lost. Subscribe right after acquiring, or use
    /// <see cref="LostToken"/>, which also reports a loss that happened before the subscription.</summary>
    public event Action<LossReason>? Lost;

    /// <summary>True once released by its holder.</summary>
    public bool IsReleased => Volatile.Read(ref _released) != 0;

    /// <summary>Called by the watch on our own node.</summary>
    internal void OnNodeEvent(WatchedEvent e)
    {
        if (e.Type == WatchedEventType.NodeDeleted && !IsReleased)
        {
            _loss.Fire(Coordination.LossReason.NodeDeleted);
        }
    }

    /// <summary>Deletes the contender node so the next contender may go ahead. Safe to call more than once and after
    /// a loss (the node is then already gone or goes with the session).</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }
        _loss.Dispose();
        if (_zk.State is ConnectionState.Lost or ConnectionState.Closed)
        {
            return;
        }
        try
        {
            await _zk.DeleteAsync(NodePath, ZooKeeperVersion.Any, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code is ErrorCode.NoNode or ErrorCode.SessionExpired or ErrorCode.ClientClosed)
        {
            // Already gone with the session.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await ReleaseAsync(CancellationToken.None);
}

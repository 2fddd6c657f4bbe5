using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>Why something tied to a session (a lock, a leadership) was lost.</summary>
public enum LossReason
{
    /// <summary>The session expired: its ephemeral nodes are gone.</summary>
    SessionLost,

    /// <summary>The session was closed by its owner.</summary>
    SessionClosed,

    /// <summary>The connection stayed down longer than the session timeout, so the server has expired the session
    /// (or will before the client can tell); acting as if still holding would risk two holders.</summary>
    SuspendedTooLong,

    /// <summary>The node that stood for the hold was deleted by someone else.</summary>
    NodeDeleted,
}

/// <summary>
/// Watches one session on behalf of one holder and fires <see cref="Token"/> once when the hold can no longer be
/// trusted: the session is lost or closed, or it stays suspended longer than its negotiated timeout (measured on
/// the injected clock, as Curator's session-based connection policy does). Callbacks run off the session's event
/// loop, so a holder's cancellation handlers cannot stall event delivery.
/// </summary>
internal sealed class SessionLossWatch : IDisposable
{
    private readonly IZooKeeper _zk;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _lost = new();
    private readonly Lock _lock = new();
    private ITimer? _suspendedTimer;
    private LossReason? _reason;
    private bool _disposed;

    public SessionLossWatch(IZooKeeper zk, TimeProvider time)
    {
        _zk = zk;
        _time = time;
        _zk.StateChanged += OnStateChanged;
        // A change that happened before we subscribed is seen here.
        OnStateChanged(_zk.State);
    }

    /// <summary>Cancelled once the hold is lost.</summary>
    public CancellationToken Token => _lost.Token;

    /// <summary>Why the hold was lost, once it was.</summary>
    public LossReason? Reason
    {
        get
        {
            lock (_lock)
            {
                return _reason;
            }
        }
    }

    /// <summary>Raised once, on the thread pool, when the hold is lost.</summary>
    public event Action<LossReason>? Lost;

    /// <summary>Declares the hold lost for a reason the watch cannot see itself (e.g. the node was deleted).</summary>
    public void Fire(LossReason reason)
    {
        Action<LossReason>? handlers;
        lock (_lock)
        {
            if (_reason is not null || _disposed)
            {
                return;
            }
            _reason = reason;
            _suspendedTimer?.Dispose();
            _suspendedTimer = null;
            handlers = Lost;
            _ = _lost.CancelAsync();
        }
        if (handlers is not null)
        {
            ThreadPool.QueueUserWorkItem(_ => handlers(reason));
        }
    }

    private void OnStateChanged(ConnectionState state)
    {
        switch (state)
        {
            case ConnectionState.Lost:
                Fire(LossReason.SessionLost);
                break;
            case ConnectionState.Closed:
                Fire(LossReason.SessionClosed);
                break;
            case ConnectionState.Suspended:
                lock (_lock)
                {
                    if (_reason is null && !_disposed && _suspendedTimer is null)
                    {
                        var timeout = _zk.NegotiatedSessionTimeout > TimeSpan.Zero ? _zk.NegotiatedSessionTimeout : TimeSpan.FromSeconds(10);
                        _suspendedTimer = _time.CreateTimer(_ => Fire(LossReason.SuspendedTooLong), null, timeout, Timeout.InfiniteTimeSpan);
                    }
                }
                break;
            case ConnectionState.Connected:
                lock (_lock)
                {
                    _suspendedTimer?.Dispose();
                    _suspendedTimer = null;
                }
                break;
        }
    }

    public void Dispose()
    {
        _zk.StateChanged -= OnStateChanged;
        lock (_lock)
        {
            _disposed = true;
            _suspendedTimer?.Dispose();
            _suspendedTimer = null;
        }
        // _lost is not disposed: holders may still register on a token they took earlier.
    }
}

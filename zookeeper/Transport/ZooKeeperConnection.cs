using System.Net.Sockets;
using Gating.ZooKeeper.Protocol;
using Gating.ZooKeeper.Session;

namespace Gating.ZooKeeper.Transport;

/// <summary>
/// One TCP connection carrying a session: the handshake, then one read loop, one write loop and a keep-alive, and
/// one <see cref="Break"/> path that every failure goes through. A broken connection is never reused; the session
/// opens a new one.
/// </summary>
internal sealed partial class ZooKeeperConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly IConnectionOwner _owner;
    private readonly FrameReader _frames;
    private readonly PendingQueue _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<Exception> _broken = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TimeSpan _pingInterval;
    private TimeSpan _readTimeout;
    private byte[] _readBuffer;
    private int _readStart;
    private int _readEnd;
    private long _lastSend;
    private long _lastReceive;
    private Task _loops = Task.CompletedTask;
    private volatile string _breadcrumb = "handshake";

    private ZooKeeperConnection(Socket socket, string endpoint, IConnectionOwner owner, FrameReader frames)
    {
        _socket = socket;
        Endpoint = endpoint;
        _owner = owner;
        _frames = frames;
        _readBuffer = new byte[64 * 1024];
        _lastSend = _lastReceive = owner.TimeProvider.GetTimestamp();
    }

    public string Endpoint { get; }

    /// <summary>Completes with the reason when the connection breaks.</summary>
    public Task<Exception> Broken => _broken.Task;

    /// <summary>Requests written and not yet answered.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>
    /// Fails the connection: stops the loops, closes the socket and fails every request in flight (and any added
    /// later) with a retryable <see cref="ErrorCode.ConnectionLoss"/> that carries the reason, or with
    /// <see cref="ErrorCode.ClientClosed"/> when the owner is closing the client. Safe to call many times.
    /// </summary>
    public void Break(Exception reason)
    {
        if (!_broken.TrySetResult(reason))
        {
            return;
        }
        _stop.Cancel();
        _socket.Dispose();
        _pending.FailAll(_owner.IsClosing
            ? new ZooKeeperException(ErrorCode.ClientClosed, null, "the ZooKeeper client has been closed", reason)
            : new ZooKeeperException(ErrorCode.ConnectionLoss, null, $"connection to ZooKeeper server {Endpoint} lost: {reason.Message}", reason));
    }

    public async ValueTask DisposeAsync()
    {
        Break(new ObjectDisposedException(nameof(ZooKeeperConnection), "connection closed by the client"));
        try
        {
            await _loops;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    /// <summary>Starts the loops once the handshake is done; <paramref name="prime"/> is written before any request.</summary>
    public void Start(TimeSpan negotiatedTimeout, ReadOnlyMemory<byte> prime, int replayedAuths)
    {
        // As ZooKeeper's ClientCnxn: declare the server gone after two thirds of the negotiated session timeout of
        // silence, and ping after a third of it, so that a healthy server always answers in time.
        _readTimeout = negotiatedTimeout * 2 / 3;
        _pingInterval = negotiatedTimeout / 3;
        for (var i = 0; i < replayedAuths; i++)
        {
            _pending.AddReplayedAuth();
        }
        var token = _stop.Token;
        _loops = Task.WhenAll(
            Task.Run(() => GuardAsync(ReadLoopAsync(token))),
            Task.Run(() => GuardAsync(WriteLoopAsync(prime, token))),
            Task.Run(() => GuardAsync(KeepAliveAsync(token))));
    }

    private async Task GuardAsync(Task loop)
    {
        try
        {
            await loop;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // every failure of a loop is a reason to break, whatever its type
        catch (Exception e)
#pragma warning restore CA1031
        {
            Break(e);
        }
    }

    private async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        var time = _owner.TimeProvider;
        var tick = _pingInterval / 2;
        while (true)
        {
            await Task.Delay(tick, time, cancellationToken);
            if (time.GetElapsedTime(Volatile.Read(ref _lastReceive)) > _readTimeout)
            {
                throw new TimeoutException(
                    $"no reply from the server for {_readTimeout.TotalMilliseconds:0} ms (read loop: {_breadcrumb}; {_pending.Describe()})");
            }
            if (time.GetElapsedTime(Volatile.Read(ref _lastSend)) >= _pingInterval)
            {
                // Behind requests already queued: any of them also tells the server the session is alive.
                _owner.Outgoing.Writer.TryWrite(PingCall.Instance);
            }
        }
    }
}

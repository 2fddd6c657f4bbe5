using System.Net;
using System.Threading.Channels;
using Gating.ZooKeeper.Protocol;
using Gating.ZooKeeper.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace Gating.ZooKeeper.Session;

/// <summary>
/// A ZooKeeper session across connections: the state machine (<see cref="SessionState"/>), the queue of requests
/// waiting to be written, the watch registry, the event loop, and the supervisor that connects, re-attaches the
/// session with its id and password on another connection, and declares it expired.
/// </summary>
internal sealed partial class ZooKeeperSession : IConnectionOwner, IAsyncDisposable
{
    private readonly ZooKeeperClientOptions _options;
    private readonly IReadOnlyList<DnsEndPoint> _hosts;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _reconnect;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstConnect = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private readonly List<(string Scheme, byte[] Auth)> _auths = [];
    private SessionState _state = SessionState.Connecting;
    private bool _closing;
    private int _xid;
    private long _lastZxid;
    private long _sessionId;
    private byte[] _password = new byte[16];
    private int _negotiatedTimeoutMs;
    private int _nextHost;
    private long _disconnectedAt;
    private volatile ZooKeeperConnection? _connection;
    private Exception? _lastConnectError;
    private Task _supervisor = Task.CompletedTask;

    public ZooKeeperSession(ZooKeeperClientOptions options)
    {
        _options = options;
        var connectString = ConnectString.Parse(options.ConnectString);
        Chroot = connectString.Chroot;
        _hosts = Shuffle(connectString.Hosts, options.RandomInt);
        _logger = options.LoggerFactory?.CreateLogger("Gating.ZooKeeper.ZooKeeperClient") ?? NullLogger.Instance;
        Events = new EventLoop(_logger);
        _reconnect = ReconnectPolicy.Build(options);
        _sessionId = options.SessionId;
        if (options.SessionId != 0)
        {
            _password = options.SessionPassword.ToArray();
        }
    }

    public event Action<ConnectionState>? StateChanged;

    public Chroot Chroot { get; }

    public WatchRegistry Watches { get; } = new();

    public EventLoop Events { get; }

    public Channel<Call> Outgoing { get; } = Channel.CreateUnbounded<Call>();

    public TimeProvider TimeProvider => _options.TimeProvider;

    public SessionState State => _state;

    public bool IsClosing => Volatile.Read(ref _closing);

    public long SessionId => Interlocked.Read(ref _sessionId);

    /// <summary>A copy of the session's password (all zeros before the first connect).</summary>
    public byte[] Password => (byte[])Volatile.Read(ref _password).Clone();

    public TimeSpan NegotiatedTimeout => TimeSpan.FromMilliseconds(Volatile.Read(ref _negotiatedTimeoutMs));

    /// <summary>The server the session is attached to now, if any.</summary>
    public string? Endpoint => _state == SessionState.Connected ? _connection?.Endpoint : null;

    /// <summary>Starts the supervisor and waits for the first connection.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _supervisor = Task.Run(SuperviseAsync, CancellationToken.None);
        try
        {
            await _firstConnect.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var last = _lastConnectError;
            await DisposeAsync();
            if (last is null)
            {
                throw;
            }
            throw new ZooKeeperException(ErrorCode.ConnectionLoss, null,
                $"could not connect to ZooKeeper at {_options.ConnectString}: {last.Message}", last);
        }
    }

    /// <summary>Queues a request and waits for its reply. Once the client is closing, fails at once with ClientClosed.</summary>
    public Task<T> SubmitAsync<T>(Call<T> call, CancellationToken cancellationToken) =>
        IsClosing ? Task.FromException<T>(ClosedError(call.Path)) : SubmitCoreAsync(call, cancellationToken);

    private Task<T> SubmitCoreAsync<T>(Call<T> call, CancellationToken cancellationToken)
    {
        var state = _state;
        if (state == SessionState.Connected && _connection is { } connection && connection.TryWriteInline(call))
        {
            return call.Task.WaitAsync(cancellationToken);
        }
        if (state is SessionState.Expired or SessionState.Closed || !Outgoing.Writer.TryWrite(call))
        {
            return Task.FromException<T>(TerminalError(call.Path));
        }
        return call.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Remembers credentials so that they are sent again whenever the session re-attaches.</summary>
    public void RememberAuth(string scheme, byte[] auth)
    {
        lock (_lock)
        {
            _auths.Add((scheme, auth));
        }
    }

    public int NextXid()
    {
        var xid = Interlocked.Increment(ref _xid);
        if (xid <= 0)
        {
            // After 2^31 requests: xids must stay positive, negatives are reserved.
            Interlocked.CompareExchange(ref _xid, 1, xid);
            xid = Interlocked.Increment(ref _xid);
        }
        return xid;
    }

    public void OnZxid(long zxid)
    {
        long seen;
        while (zxid > (seen = Interlocked.Read(ref _lastZxid)) && Interlocked.CompareExchange(ref _lastZxid, zxid, seen) != seen)
        {
        }
    }

    public void OnReply(Call call, in ReplyHeader header)
    {
        if (call.Watch is not { } watch)
        {
            return;
        }
        WatchKind? kind = watch.Kind == WatchKind.Exists
            ? header.Err switch { ErrorCode.Ok => WatchKind.Data, ErrorCode.NoNode => WatchKind.Exist, _ => null }
            : header.Err == ErrorCode.Ok ? watch.Kind : null;
        if (kind is { } k)
        {
            Watches.Register(k, watch.ServerPath, watch.Watcher);
        }
    }

    public void OnNotification(in WatcherEventRecord notification)
    {
        var watchers = Watches.Materialize(notification.Type, notification.Path);
        var watchedEvent = new WatchedEvent(notification.Type, Chroot.ToClient(notification.Path));
        foreach (var watcher in watchers)
        {
            Events.Post(() => watcher(watchedEvent));
        }
    }

    public void OnPrimeReply(in ReplyHeader header)
    {
        if (header.Err != ErrorCode.Ok)
        {
            Log.PrimeRejected(_logger, header.Xid == Xids.Auth ? "replayed credentials" : "setWatches2", header.Err);
        }
    }

    /// <summary>Delivers watch-removed events to the watchers that <c>removeWatches</c> took away.</summary>
    public void NotifyRemoved(IEnumerable<(Watcher Watcher, WatchedEventType Event)> removed, string path)
    {
        foreach (var (watcher, type) in removed)
        {
            var watchedEvent = new WatchedEvent(type, path);
            Events.Post(() => watcher(watchedEvent));
        }
    }

    private static DnsEndPoint[] Shuffle(IReadOnlyList<DnsEndPoint> hosts, Func<int, int> randomInt)
    {
        var shuffled = hosts.ToArray();
        for (var i = shuffled.Length - 1; i > 0; i--)
        {
            var j = randomInt(i + 1);
            (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
        }
        return shuffled;
    }

    private Exception TerminalError(string? path) => _state == SessionState.Expired
        ? new ZooKeeperException(ErrorCode.SessionExpired, path, $"ZooKeeper session 0x{SessionId:x} has expired")
        : ClosedError(path);

    private static ZooKeeperException ClosedError(string? path) =>
        new(ErrorCode.ClientClosed, path, "the ZooKeeper client has been closed");

    private void SetState(SessionState state)
    {
        lock (_lock)
        {
            if (_state == state || _state == SessionState.Closed || (_state == SessionState.Expired && state != SessionState.Closed))
            {
                return;
            }
            _state = state;
            var publicState = ToPublic(state);
            // Posted under the lock so handlers see the transitions in the order they happened.
            Events.Post(() => StateChanged?.Invoke(publicState));
        }
    }

    public static ConnectionState ToPublic(SessionState state) => state switch
    {
        SessionState.Connected => ConnectionState.Connected,
        SessionState.Expired => ConnectionState.Lost,
        SessionState.Closed => ConnectionState.Closed,
        _ => ConnectionState.Suspended,
    };

    /// <summary>Fails every request still waiting to be written; the queue accepts no more.</summary>
    private void FailQueued(Exception reason)
    {
        Outgoing.Writer.TryComplete();
        while (Outgoing.Reader.TryRead(out var call))
        {
            call.Fail(reason);
        }
    }
}

using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Gating.ZooKeeper.Embedded;

/// <summary>
/// An in-process ZooKeeper server with ZooKeeper's semantics, durable in a directory: every write is in the journal
/// and flushed to disk before it is acknowledged; snapshots bound the replay. Open it once per directory and per
/// process, then <see cref="ConnectAsync(TimeSpan, CancellationToken)"/> sessions that implement
/// <see cref="IZooKeeper"/>.
/// </summary>
public sealed partial class EmbeddedZooKeeper : IAsyncDisposable
{
    private readonly EmbeddedZooKeeperOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Journal? _journal;
    private readonly Channel<WriteRequest> _writes = Channel.CreateUnbounded<WriteRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _watchLock = new();
    private readonly ConcurrentDictionary<long, EmbeddedZooKeeperSession> _attached = new();
    private readonly ConcurrentDictionary<long, long> _detachedSinceMs = new();
    private readonly ITimer _sessionTimer;
    private readonly ITimer _containerTimer;
    private readonly Task _writerLoop;
    private DataState _state;
    private long _nextSessionId;
    private Exception? _broken;
    private int _disposed;

    private EmbeddedZooKeeper(EmbeddedZooKeeperOptions options, Journal? journal, DataState recovered)
    {
        _options = options;
        _time = options.TimeProvider;
        _logger = options.LoggerFactory.CreateLogger<EmbeddedZooKeeper>();
        _journal = journal;
        _state = recovered;
        var nowMs = NowMs();
        // ZooKeeper's initializeNextSessionId: the time in the high bits, so ids differ across restarts.
        _nextSessionId = Math.Max((long)((ulong)(nowMs << 24) >> 8), recovered.Sessions.Keys.DefaultIfEmpty(0).Max() + 1);
        foreach (var session in recovered.Sessions.Keys)
        {
            _detachedSinceMs[session] = nowMs; // a recovered session lives for one more timeout unless re-attached
        }
        _writerLoop = Task.Run(WriterLoopAsync);
        _sessionTimer = _time.CreateTimer(_ => CheckSessions(), null, options.TickTime, options.TickTime);
        _containerTimer = _time.CreateTimer(_ => Submit(new WriteRequest.Sweep()), null, options.ContainerCheckInterval, options.ContainerCheckInterval);
    }

    /// <summary>
    /// Opens the store in <paramref name="directory"/> (created if missing): loads the newest snapshot, replays the
    /// journal after it, discards a torn tail, and resumes every recorded session for one more timeout.
    /// </summary>
    public static async Task<EmbeddedZooKeeper> OpenAsync(string directory, EmbeddedZooKeeperOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(options);
        var logger = options.LoggerFactory.CreateLogger<EmbeddedZooKeeper>();
        var (journal, state) = await Journal.OpenAsync(directory, options.SnapshotEveryTransactions, logger, cancellationToken);
        return new EmbeddedZooKeeper(options, journal, state);
    }

    /// <summary>Opens a store that keeps nothing on disk: for tests and throw-away use.</summary>
    public static EmbeddedZooKeeper OpenInMemory(EmbeddedZooKeeperOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new EmbeddedZooKeeper(options, null, Journal.WithSystemNodes(DataState.Empty));
    }

    /// <summary>The zxid of the last committed transaction.</summary>
    public long LastZxid => State.LastZxid;

    /// <summary>How many times the journal was flushed to disk since the store opened: with concurrent writers it
    /// grows slower than <see cref="LastZxid"/>, since one flush commits a whole batch.</summary>
    public long JournalFlushes => _journal?.Flushes ?? 0;

    /// <summary>The ids of the sessions the store knows (attached or waiting to be re-attached or to expire).</summary>
    public IReadOnlyCollection<long> SessionIds => State.Sessions.Keys.ToList();

    internal DataState State => Volatile.Read(ref _state);

    internal ILogger Logger => _logger;

    /// <summary>Opens a new session with the requested timeout.</summary>
    public Task<EmbeddedZooKeeperSession> ConnectAsync(TimeSpan sessionTimeout, CancellationToken cancellationToken) =>
        ConnectAsync(new EmbeddedConnectOptions(sessionTimeout), cancellationToken);

    /// <summary>Opens a new session, or re-attaches to an existing one when a session id is given.</summary>
    /// <exception cref="ZooKeeperException">SessionExpired when the session to re-attach is gone or the password is wrong.</exception>
    public async Task<EmbeddedZooKeeperSession> ConnectAsync(EmbeddedConnectOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var chroot = options.Chroot ?? "";
        if (chroot is "/")
        {
            chroot = "";
        }
        if (chroot.Length > 0 && PathRules.Problem(chroot) is { } problem)
        {
            throw new ArgumentException($"invalid chroot {chroot}: {problem}", nameof(options));
        }
        if (options.SessionId != 0)
        {
            return Reattach(options.SessionId, options.SessionPassword, chroot);
        }
        var timeout = Negotiate(options.SessionTimeout);
        var record = (SessionRecord)(await SubmitAsync(new WriteRequest.CreateSession((int)timeout.TotalMilliseconds), cancellationToken))!;
        var session = new EmbeddedZooKeeperSession(this, record, chroot);
        _attached[record.Id] = session;
        return session;
    }

    /// <summary>
    /// Expires a session now, as the server does when its client stops heartbeating: its ephemerals are deleted and
    /// its client sees <see cref="ConnectionState.Lost"/>. For fault tests.
    /// </summary>
    public async Task ExpireSessionAsync(long sessionId, CancellationToken cancellationToken)
    {
        _detachedSinceMs.TryRemove(sessionId, out _);
        await SubmitAsync(new WriteRequest.CloseSession(sessionId, expired: true), cancellationToken);
    }

    /// <summary>
    /// Simulates a network partition between a session's client and the store: the client sees
    /// <see cref="ConnectionState.Suspended"/> and its calls fail with a retryable ConnectionLoss; the store stops
    /// hearing from it, so after the session timeout (on the injected clock) it expires and the client sees
    /// <see cref="ConnectionState.Lost"/>. For fault tests.
    /// </summary>
    public void DisconnectSession(long sessionId)
    {
        if (_attached.TryGetValue(sessionId, out var session) && session.Suspend())
        {
            _detachedSinceMs[sessionId] = NowMs();
        }
    }

    /// <summary>Ends a simulated partition: if the session has not expired meanwhile, its client is Connected again
    /// and receives the watch events it missed, as after ZooKeeper's setWatches.</summary>
    public void ReconnectSession(long sessionId)
    {
        if (_attached.TryGetValue(sessionId, out var session) && _detachedSinceMs.TryRemove(sessionId, out _))
        {
            session.Resume();
        }
    }

    private EmbeddedZooKeeperSession Reattach(long sessionId, ReadOnlyMemory<byte> password, string chroot)
    {
        if (!State.Sessions.TryGetValue(sessionId, out var record) || !password.Span.SequenceEqual(record.Password)
            || !_detachedSinceMs.TryRemove(sessionId, out _))
        {
            throw new ZooKeeperException(ErrorCode.SessionExpired, null, $"KeeperErrorCode = SessionExpired: session 0x{sessionId:x} cannot be re-attached");
        }
        var session = new EmbeddedZooKeeperSession(this, record, chroot);
        _attached[sessionId] = session;
        return session;
    }

    private TimeSpan Negotiate(TimeSpan requested) =>
        requested < _options.MinSessionTimeout ? _options.MinSessionTimeout
        : requested > _options.MaxSessionTimeout ? _options.MaxSessionTimeout
        : requested;

    private void CheckSessions()
    {
        var nowMs = NowMs();
        var sessions = State.Sessions;
        foreach (var (id, sinceMs) in _detachedSinceMs)
        {
            if (sessions.TryGetValue(id, out var record) && nowMs - sinceMs > record.TimeoutMs)
            {
                Submit(new WriteRequest.CloseSession(id, expired: true, onlyIfStillUnheard: true));
            }
        }
    }

    internal long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    internal async Task<object?> SubmitAsync(WriteRequest request, CancellationToken cancellationToken)
    {
        Submit(request);
        return await request.Task.WaitAsync(cancellationToken);
    }

    private void Submit(WriteRequest request)
    {
        if (_broken is { } broken)
        {
            request.Fail(new ZooKeeperException(ErrorCode.SystemError, null, "the embedded store failed to write its journal", broken));
        }
        else if (!_writes.Writer.TryWrite(request))
        {
            request.Fail(new ZooKeeperException(ErrorCode.ConnectionLoss, null, "the embedded store is closed"));
        }
    }

    /// <summary>Called by a session as it closes, after its CloseSession committed.</summary>
    internal void Detach(long sessionId, EmbeddedZooKeeperSession session) =>
        ((ICollection<KeyValuePair<long, EmbeddedZooKeeperSession>>)_attached).Remove(new(sessionId, session));

    /// <summary>Runs a read against the committed state together with its watch registration, atomically with
    /// respect to watch triggering, so no event between the read and the registration is lost.</summary>
    internal T ReadAndWatch<T>(Func<DataState, T> read)
    {
        lock (_watchLock)
        {
            return read(State);
        }
    }

    internal void WithWatchLock(Action action)
    {
        lock (_watchLock)
        {
            action();
        }
    }

    internal static byte[] NewPassword() => RandomNumberGenerator.GetBytes(16);

    /// <summary>
    /// Closes the store: every attached session is left as it is (so it can be re-attached by the next process, as
    /// after a crash), the writer finishes the queued writes, and the journal is closed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _sessionTimer.DisposeAsync();
        await _containerTimer.DisposeAsync();
        foreach (var session in _attached.Values)
        {
            await session.AbandonAsync();
        }
        _writes.Writer.TryComplete();
        await _writerLoop;
        _journal?.Dispose();
    }
}

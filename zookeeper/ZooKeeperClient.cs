using Gating.ZooKeeper.Protocol;
using Gating.ZooKeeper.Session;

namespace Gating.ZooKeeper;

/// <summary>
/// <see cref="IZooKeeper"/> over ZooKeeper's wire protocol (servers 3.5+; persistent watches need 3.6+). One
/// session, kept across connections: requests are pipelined on one socket, a broken connection fails the requests
/// in flight with a retryable <see cref="ErrorCode.ConnectionLoss"/> and re-attaches the session on the next host
/// with its watches. See README.md in this folder for the layers.
/// </summary>
public sealed partial class ZooKeeperClient : IZooKeeper
{
    private readonly ZooKeeperSession _session;

    private ZooKeeperClient(ZooKeeperClientOptions options)
    {
        _session = new ZooKeeperSession(options);
        _session.StateChanged += state => StateChanged?.Invoke(state);
    }

    /// <summary>
    /// Connects and returns once a session is established. Retries across the hosts until
    /// <paramref name="cancellationToken"/> fires, then fails with <see cref="ErrorCode.ConnectionLoss"/> and the
    /// last connect error.
    /// </summary>
    public static async Task<ZooKeeperClient> ConnectAsync(ZooKeeperClientOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var client = new ZooKeeperClient(options);
        await client._session.StartAsync(cancellationToken);
        return client;
    }

    /// <inheritdoc/>
    public event Action<ConnectionState>? StateChanged;

    /// <inheritdoc/>
    public long SessionId => _session.SessionId;

    /// <summary>
    /// A copy of the session's password, which with <see cref="SessionId"/> lets another client attach to this session
    /// (<see cref="ZooKeeperClientOptions.SessionId"/>); all zeros before the first connect. Keep it secret: whoever
    /// has both can act as, or end, this session.
    /// </summary>
    public ReadOnlyMemory<byte> SessionPassword => _session.Password;

    /// <inheritdoc/>
    public TimeSpan NegotiatedSessionTimeout => _session.NegotiatedTimeout;

    /// <inheritdoc/>
    public ConnectionState State => ZooKeeperSession.ToPublic(_session.State);

    /// <summary>The "host:port" of the server the session is attached to, or null while disconnected.</summary>
    public string? ConnectedServer => _session.Endpoint;

    /// <summary>Closes the session (its ephemerals go at once) and the connection. Calls still in flight, and every
    /// later call, fail with <see cref="ErrorCode.ClientClosed"/> (not retryable).</summary>
    public ValueTask DisposeAsync() => _session.DisposeAsync();

    private string ToServer(string path, bool sequential = false) => _session.Chroot.ToServer(path, sequential);

    private string ToClient(string serverPath) => _session.Chroot.ToClient(serverPath);

    private Task<T> SendAsync<T>(OpCode opCode, string path, Action<JuteWriter> write, ReplyParser<T> parse,
        CancellationToken cancellationToken, WatchRegistration? watch = null, Func<ErrorCode, bool>? acceptsError = null) =>
        _session.SubmitAsync(new Call<T>(opCode, path, write, parse, watch, acceptsError), cancellationToken);

    private static bool NoValue(in ReplyHeader header, ref JuteReader reader) => true;

    private static Stat ReadStat(in ReplyHeader header, ref JuteReader reader) => reader.ReadStat();
}

using System.Collections.Immutable;
using System.Text;

namespace Gating.ZooKeeper.Embedded;

/// <summary>
/// A session on an <see cref="EmbeddedZooKeeper"/>. Writes go through the store's writer (durable before they
/// return); reads see the last committed state. Watch callbacks and state changes run in order on this session's
/// event loop. Disposing closes the session (its ephemerals go).
/// </summary>
public sealed partial class EmbeddedZooKeeperSession : IZooKeeper
{
    [ThreadStatic]
    private static EmbeddedZooKeeperSession? t_onLoop;

    private readonly EmbeddedZooKeeper _server;
    private readonly string _chroot;
    private readonly byte[] _password;
    private readonly WatchRegistry _watches = new();
    private readonly List<Action> _missed = [];
    private Task _lastWrite = Task.CompletedTask;
    private readonly SessionEventLoop _loop;
    private ImmutableArray<AclId> _authIds = [];
    private volatile ConnectionState _state = ConnectionState.Connected;
    private int _closing;

    internal EmbeddedZooKeeperSession(EmbeddedZooKeeper server, SessionRecord record, string chroot)
    {
        _server = server;
        _chroot = chroot;
        _password = record.Password;
        SessionId = record.Id;
        NegotiatedSessionTimeout = TimeSpan.FromMilliseconds(record.TimeoutMs);
        _loop = new SessionEventLoop(server.Logger);
    }

    /// <inheritdoc />
    public long SessionId { get; }

    /// <summary>The session's password: with <see cref="SessionId"/> it re-attaches the session after a restart.</summary>
    public ReadOnlyMemory<byte> SessionPassword => _password;

    /// <inheritdoc />
    public TimeSpan NegotiatedSessionTimeout { get; }

    /// <inheritdoc />
    public ConnectionState State => _state;

    /// <inheritdoc />
    public event Action<ConnectionState>? StateChanged;

    private SessionContext Context => new(SessionId, _authIds, _chroot);

    /// <inheritdoc />
    public async Task<CreateResult> CreateAsync(string path, ReadOnlyMemory<byte> data, CreateOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sequential = options.Mode is CreateMode.PersistentSequential or CreateMode.EphemeralSequential or CreateMode.PersistentSequentialWithTtl;
        var op = new Op.Create(ServerPath(path, sequential), data, options);
        var results = await WriteAsync([op], isMulti: false, cancellationToken);
        var created = (OpResult.Create)results[0];
        return new CreateResult(ClientPath(created.Path), created.Stat);
    }

    /// <inheritdoc />
    public Task DeleteAsync(string path, int version, CancellationToken cancellationToken) =>
        WriteAsync([new Op.Delete(ServerPath(path), version)], isMulti: false, cancellationToken);

    /// <inheritdoc />
    public async Task<Stat> SetDataAsync(string path, ReadOnlyMemory<byte> data, int version, CancellationToken cancellationToken)
    {
        var results = await WriteAsync([new Op.SetData(ServerPath(path), data, version)], isMulti: false, cancellationToken);
        return ((OpResult.SetData)results[0]).Stat;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OpResult>> MultiAsync(IReadOnlyList<Op> ops, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ops);
        var serverOps = ops.Select(op => op switch
        {
            Op.Create c => c with { Path = ServerPath(c.Path, c.Options.Mode is CreateMode.PersistentSequential or CreateMode.EphemeralSequential or CreateMode.PersistentSequentialWithTtl) },
            Op.Delete d => d with { Path = ServerPath(d.Path) },
            Op.SetData s => s with { Path = ServerPath(s.Path) },
            Op.Check c => (Op)(c with { Path = ServerPath(c.Path) }),
            _ => throw new ArgumentException($"unknown op {op}", nameof(ops)),
        }).ToList();
        var results = await WriteAsync(serverOps, isMulti: true, cancellationToken);
        return results.Select(r => r is OpResult.Create c ? c with { Path = ClientPath(c.Path) } : r).ToList();
    }

    /// <inheritdoc />
    public async Task<Stat> SetAclAsync(string path, IReadOnlyList<Acl> acl, int aclVersion, CancellationToken cancellationToken)
    {
        var serverPath = ServerPath(path);
        EnsureUsable();
        return (Stat)(await SubmitAsync(new WriteRequest.SetAcl(Context, serverPath, acl, aclVersion), cancellationToken))!;
    }

    /// <inheritdoc />
    public async Task SyncAsync(string path, CancellationToken cancellationToken)
    {
        ServerPath(path);
        EnsureUsable();
        await SubmitAsync(new WriteRequest.Barrier(), cancellationToken);
    }

    /// <inheritdoc />
    public Task AddAuthAsync(string scheme, ReadOnlyMemory<byte> auth, CancellationToken cancellationToken)
    {
        EnsureUsable();
        if (scheme != "digest")
        {
            return Task.FromException(new ZooKeeperException(ErrorCode.AuthFailed, null, $"KeeperErrorCode = AuthFailed: unknown scheme {scheme}"));
        }
        var id = new AclId("digest", AclRules.DigestId(Encoding.UTF8.GetString(auth.Span)));
        ImmutableInterlocked.Update(ref _authIds, ids => ids.Contains(id) ? ids : ids.Add(id));
        return Task.CompletedTask;
    }

    private async Task<OpResult[]> WriteAsync(IReadOnlyList<Op> ops, bool isMulti, CancellationToken cancellationToken)
    {
        EnsureUsable();
        var result = await SubmitAsync(new WriteRequest.Ops(Context, ops, isMulti), cancellationToken);
        return (OpResult[])result!;
    }

    /// <summary>Queues a write and remembers it: a later read of this session waits for it, since ZooKeeper answers
    /// a session's requests in the order they were sent.</summary>
    private Task<object?> SubmitAsync(WriteRequest request, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _lastWrite, request.Task);
        return _server.SubmitAsync(request, cancellationToken);
    }

    private string ServerPath(string path, bool sequential = false)
    {
        PathRules.Validate(path, sequential);
        return PathRules.ToServer(_chroot, path);
    }

    private string ClientPath(string serverPath) => PathRules.ToClient(_chroot, serverPath);

    private void EnsureUsable()
    {
        switch (_state)
        {
            case ConnectionState.Connected:
                return;
            case ConnectionState.Lost:
                throw new ZooKeeperException(ErrorCode.SessionExpired, null, $"KeeperErrorCode = Session expired for session 0x{SessionId:x}");
            case ConnectionState.Closed:
                throw new ZooKeeperException(ErrorCode.ClientClosed, null, "the session was closed by its owner");
            default:
                throw new ZooKeeperException(ErrorCode.ConnectionLoss, null, "KeeperErrorCode = ConnectionLoss: the embedded store is closed");
        }
    }
}

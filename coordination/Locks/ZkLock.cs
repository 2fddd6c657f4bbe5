using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>The kinds of contender in ZooKeeper's sequential-ephemeral lock recipe.</summary>
public enum LockKind
{
    /// <summary>Blocked by every contender ahead of it.</summary>
    Exclusive,

    /// <summary>Shared: blocked only by write contenders ahead of it.</summary>
    Read,

    /// <summary>Blocked by every contender ahead of it (readers and writers).</summary>
    Write,
}

/// <summary>
/// A lock on a path, by ZooKeeper's recipe: each contender creates an ephemeral sequential child
/// <c>&lt;uuid&gt;__lock__&lt;seq&gt;</c> (<c>__rlock__</c> for readers, as kazoo names them), holds the lock when no
/// blocking contender is ahead, and otherwise watches only the nearest blocking predecessor, so a release wakes one
/// waiter instead of all. The lock lives as long as the session: see <see cref="LockHandle.LostToken"/>.
/// </summary>
public sealed class ZkLock
{
    internal const string LockMarker = "__lock__";
    internal const string ReadMarker = "__rlock__";
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(50);

    private readonly IZooKeeper _zk;
    private readonly TimeProvider _time;
    private readonly ReadOnlyMemory<byte> _identifier;

    /// <summary>A lock of the given kind on <paramref name="path"/>; <paramref name="identifier"/> is stored in the
    /// contender node so operators can see who holds it.</summary>
    public ZkLock(IZooKeeper zk, string path, LockKind kind, TimeProvider? time = null, ReadOnlyMemory<byte> identifier = default)
    {
        ArgumentNullException.ThrowIfNull(zk);
        ArgumentException.ThrowIfNullOrEmpty(path);
        _zk = zk;
        Path = path;
        Kind = kind;
        _time = time ?? TimeProvider.System;
        _identifier = identifier;
    }

    /// <summary>An exclusive lock.</summary>
    public static ZkLock Exclusive(IZooKeeper zk, string path, TimeProvider? time = null, ReadOnlyMemory<byte> identifier = default) =>
        new(zk, path, LockKind.Exclusive, time, identifier);

    public string Path { get; }

    public LockKind Kind { get; }

    /// <summary>Takes the lock if nothing blocks it now; null (and no trace left) otherwise.</summary>
    public Task<LockHandle?> TryAcquireAsync(CancellationToken cancellationToken) => ContendAsync(wait: false, cancellationToken);

    /// <summary>
    /// Takes the lock if nothing blocks it now and <paramref name="ownerPath"/> (the object the lock guards, e.g. a
    /// nodepool node whose lock is <c>&lt;node&gt;/lock</c>) exists before and after; null otherwise. The recipe creates
    /// missing parents, so an owner deleted between the check and the lock would come back as an empty znode: that
    /// is undone, and a deleted owner reads as "not lockable".
    /// </summary>
    public async Task<LockHandle?> TryAcquireWhileExistsAsync(string ownerPath, CancellationToken cancellationToken)
    {
        if (await _zk.ExistsAsync(ownerPath, null, cancellationToken).ConfigureAwait(false) is not { } before)
        {
            return null;
        }
        var handle = await TryAcquireAsync(cancellationToken).ConfigureAwait(false);
        if (handle is null)
        {
            return null;
        }
        if (await _zk.ExistsAsync(ownerPath, null, cancellationToken).ConfigureAwait(false) is not { } after || after.Czxid != before.Czxid)
        {
            await handle.DisposeAsync().ConfigureAwait(false);
            if (await _zk.TryGetDataAsync(ownerPath, null, cancellationToken).ConfigureAwait(false) is { Data.Length: 0 })
            {
                await _zk.DeleteTreeAsync(ownerPath, cancellationToken).ConfigureAwait(false);
            }
            return null;
        }
        return handle;
    }

    /// <summary>Waits until the lock is held. Cancelling withdraws the contender node and throws
    /// <see cref="OperationCanceledException"/>; a session lost while waiting throws <see cref="ZooKeeperException"/>
    /// (SessionExpired; ClientClosed when the client was closed).</summary>
    public async Task<LockHandle> AcquireAsync(CancellationToken cancellationToken) =>
        (await ContendAsync(wait: true, cancellationToken))!;

    /// <summary>The contender nodes in lock order (the first ones hold it), with their data.</summary>
    public static async Task<IReadOnlyList<LockContender>> GetContendersAsync(IZooKeeper zk, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zk);
        var result = new List<LockContender>();
        foreach (var name in SortBySequence(await zk.TryGetChildrenAsync(path, cancellationToken)))
        {
            if (await zk.TryGetDataAsync(ZkPaths.Join(path, name), null, cancellationToken) is { } data)
            {
                result.Add(new LockContender(name, name.Contains(ReadMarker, StringComparison.Ordinal) ? LockKind.Read : LockKind.Exclusive, data.Data, data.Stat.EphemeralOwner));
            }
        }
        return result;
    }

    /// <summary>True when some session holds or waits for the lock (a worker's side-channel lock is alive).</summary>
    public static async Task<bool> IsLockedAsync(IZooKeeper zk, string path, CancellationToken cancellationToken) =>
        (await zk.TryGetChildrenAsync(path, cancellationToken)).Any(IsContender);

    private async Task<LockHandle?> ContendAsync(bool wait, CancellationToken cancellationToken)
    {
        var marker = Kind == LockKind.Read ? ReadMarker : LockMarker;
        var prefix = $"{Guid.NewGuid():N}{marker}";
        var loss = new SessionLossWatch(_zk, _time);
        string? ours = null;
        try
        {
            ours = await CreateContenderAsync(prefix, cancellationToken);
            while (true)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, loss.Token);
                try
                {
                    if (await TryOnceAsync(ours, wait, loss, linked.Token, cancellationToken) is { } outcome)
                    {
                        return outcome.Handle;
                    }
                }
                catch (ZooKeeperException e) when (e.IsRetryable)
                {
                    // The connection dropped; our contender lives as long as the session: look again once reconnected
                    // (if the session ends instead, the next call fails for good). The pause keeps a client that
                    // has not noticed the drop yet from being asked again in a tight loop.
                    await Task.Delay(RetryPause, _time, linked.Token);
                    await WaitConnectedAsync(linked.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ZooKeeperException)
        {
            loss.Dispose();
            if (_zk.State == ConnectionState.Connected)
            {
                try
                {
                    // Cancelled while the create was on its way, it may still happen: a session's requests run in
                    // order, so a listing sent now sees it, and our prefix finds it.
                    ours ??= await FindContenderAsync(prefix, CancellationToken.None);
                    if (ours is not null)
                    {
                        await _zk.TryDeleteAsync(ours, CancellationToken.None);
                    }
                }
                catch (ZooKeeperException)
                {
                    // The node goes with the session anyway.
                }
            }
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested && loss.Reason is not null)
            {
                // A client closed by its owner says so (ClientClosed), as its own calls do; any other loss is an expiry.
                throw new ZooKeeperException(loss.Reason == LossReason.SessionClosed ? ErrorCode.ClientClosed : ErrorCode.SessionExpired,
                    Path, $"the session was lost ({loss.Reason}) while waiting for the lock {Path}");
            }
            throw;
        }
    }

    /// <summary>One look at the contenders: (handle, true) when held, (null, true) when a try failed, null after the
    /// predecessor went away (look again).</summary>
    private async Task<(LockHandle? Handle, bool Done)?> TryOnceAsync(string ours, bool wait, SessionLossWatch loss,
        CancellationToken linkedToken, CancellationToken cancellationToken)
    {
        var children = SortBySequence((await _zk.GetChildrenAsync(Path, null, linkedToken)).Children);
        var index = children.IndexOf(ZkPaths.Name(ours));
        if (index < 0)
        {
            throw new ZooKeeperException(ErrorCode.SessionExpired, ours, $"the lock contender {ours} vanished: the session was lost");
        }
        var blocker = children.Take(index).LastOrDefault(Blocks);
        if (blocker is null)
        {
            var handle = new LockHandle(_zk, Path, ours, loss);
            var stat = await _zk.ExistsAsync(ours, handle.OnNodeEvent, linkedToken)
                ?? throw new ZooKeeperException(ErrorCode.SessionExpired, ours, $"the lock contender {ours} vanished: the session was lost");
            handle.Czxid = stat.Czxid;
            return (handle, true);
        }
        if (!wait)
        {
            await _zk.TryDeleteAsync(ours, cancellationToken);
            loss.Dispose();
            return (null, true);
        }
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (await _zk.ExistsAsync(ZkPaths.Join(Path, blocker), _ => released.TrySetResult(), linkedToken) is not null)
        {
            await released.Task.WaitAsync(linkedToken);
        }
        return null;
    }

    private bool Blocks(string contender) => Kind != LockKind.Read || !contender.Contains(ReadMarker, StringComparison.Ordinal);

    /// <summary>Creates our contender node. After a connection loss the create may have happened: our unique prefix
    /// finds it instead of leaving an orphan that would block everyone until the session ends.</summary>
    private async Task<string> CreateContenderAsync(string prefix, CancellationToken cancellationToken)
    {
        var path = ZkPaths.Join(Path, prefix);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return (await _zk.CreateWithParentsAsync(path, _identifier, CreateOptions.EphemeralSequential, cancellationToken)).Path;
            }
            catch (ZooKeeperException e) when (e.IsRetryable && attempt < 5)
            {
                await WaitConnectedAsync(cancellationToken);
                if (await FindContenderAsync(prefix, cancellationToken) is { } existing)
                {
                    return existing;
                }
            }
        }
    }

    private async Task<string?> FindContenderAsync(string prefix, CancellationToken cancellationToken) =>
        (await _zk.TryGetChildrenAsync(Path, cancellationToken)).FirstOrDefault(c => c.StartsWith(prefix, StringComparison.Ordinal)) is { } name
            ? ZkPaths.Join(Path, name)
            : null;

    private async Task WaitConnectedAsync(CancellationToken cancellationToken)
    {
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnState(ConnectionState s)
        {
            if (s != ConnectionState.Suspended)
            {
                connected.TrySetResult();
            }
        }
        _zk.StateChanged += OnState;
        try
        {
            OnState(_zk.State);
            await connected.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _zk.StateChanged -= OnState;
        }
    }

    internal static bool IsContender(string name) =>
        name.Length > 10 && (name.Contains(LockMarker, StringComparison.Ordinal) || name.Contains(ReadMarker, StringComparison.Ordinal));

    /// <summary>Orders contender names by their 10-digit sequence suffix (the uuid prefix says nothing of order).</summary>
    internal static List<string> SortBySequence(IEnumerable<string> names) =>
        [.. names.Where(IsContender).OrderBy(n => n[^10..], StringComparer.Ordinal)];
}

/// <summary>One contender of a lock: its node name, kind, stored identifier and owning session.</summary>
public sealed record LockContender(string Name, LockKind Kind, byte[] Identifier, long SessionId);

using Gating.ZooKeeper.Protocol;
using Gating.ZooKeeper.Session;

namespace Gating.ZooKeeper;

public sealed partial class ZooKeeperClient
{
    /// <inheritdoc/>
    public Task<CreateResult> CreateAsync(string path, ReadOnlyMemory<byte> data, CreateOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var serverPath = ToServer(path, Requests.IsSequential(options.Mode));
        return SendAsync(Requests.CreateOpCode(options.Mode), path,
            w => Requests.WriteCreate(w, serverPath, data.Span, options),
            (in ReplyHeader _, ref JuteReader r) => new CreateResult(ToClient(r.ReadRequiredString()), r.ReadStat()),
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task DeleteAsync(string path, int version, CancellationToken cancellationToken)
    {
        var serverPath = ToServer(path);
        return SendAsync(OpCode.Delete, path, w => Requests.WritePathVersion(w, serverPath, version), NoValue, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<Stat?> ExistsAsync(string path, Watcher? watcher, CancellationToken cancellationToken)
    {
        var serverPath = ToServer(path);
        return SendAsync<Stat?>(OpCode.Exists, path, w => Requests.WritePathWatch(w, serverPath, watcher is not null),
            static (in ReplyHeader h, ref JuteReader r) => h.Err == ErrorCode.NoNode ? null : r.ReadStat(),
            cancellationToken,
            watcher is null ? null : new WatchRegistration(WatchKind.Exists, serverPath, watcher),
            static code => code == ErrorCode.NoNode);
    }

    /// <inheritdoc/>
    public Task<DataResult> GetDataAsync(string path, Watcher? watcher, CancellationToken cancellationToken)
    {
        var serverPath = ToServer(path);
        return SendAsync(OpCode.GetData, path, w => Requests.WritePathWatch(w, serverPath, watcher is not null),
            static (in ReplyHeader _, ref JuteReader r) => new DataResult(r.ReadBuffer(), r.ReadStat()),
            cancellationToken,
            watcher is null ? null : new WatchRegistration(WatchKind.Data, serverPath, watcher));
    }

    /// <inheritdoc/>
    public Task<Stat> SetDataAsync(string path, ReadOnlyMemory<byte> data, int version, CancellationToken cancellationToken)
    {
        var serverPath = ToServer(path);
        return SendAsync(OpCode.SetData, path, w => Requests.WriteSetData(w, serverPath, data.Span, version), ReadStat, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ChildrenResult> GetChildrenAsync(string path, Watcher? watcher, CancellationToken cancellationToken)
    {
        var serverPath = ToServer(path);
        return SendAsync(OpCode.GetChildren2, path, w => Requests.WritePathWatch(w, serverPath, watcher is not null),
            static (in ReplyHeader _, ref JuteReader r) => new ChildrenResult(r.ReadStrings(), r.ReadStat()),
            cancellationToken,
            watcher is null ? null : new WatchRegistration(WatchKind.Child, serverPath, watcher));
    }

    /// <inheritdoc/>
    public Task<int> GetAllChildrenNumberAsync(string path, CancellationToken cancellationToken)
    {
        var serverPath = ToServer(path);
        return SendAsync(OpCode.GetAllChildrenNumber, path, w => w.WriteString(serverPath),
            static (in ReplyHeader _, ref JuteReader r) => r.ReadInt(), cancellationToken);
    }

    /// <inheritdoc/>
    public Task SyncAsync(string path, CancellationToken cancellationToken)
    {
        var serverPath = ToServer(path);
        return SendAsync(OpCode.Sync, path, w => w.WriteString(serverPath), NoValue, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<OpResult>> MultiAsync(IReadOnlyList<Op> ops, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ops);
        if (ops.Count == 0)
        {
            return [];
        }
        foreach (var op in ops)
        {
            ToServer(op.Path, op is Op.Create create && Requests.IsSequential(create.Options.Mode)); // validates before sending
        }
        var (zxid, results) = await SendAsync(OpCode.Multi, null!, w => MultiRecords.WriteRequest(w, ops, ToServer),
            (in ReplyHeader h, ref JuteReader r) => (h.Zxid, MultiRecords.ReadResponse(ref r, ToClient)), cancellationToken);
        var failed = results.FindIndex(r => r is OpResult.Error { Code: not ErrorCode.Ok });
        if (failed >= 0)
        {
            var code = ((OpResult.Error)results[failed]).Code;
            throw new ZooKeeperMultiException(code, failed < ops.Count ? ops[failed].Path : null, results);
        }
        await CompleteCreateStatsAsync(ops, results, zxid, cancellationToken);
        return results;
    }

    /// <inheritdoc/>
    public Task<AclResult> GetAclAsync(string path, CancellationToken cancellationToken)
    {
        var serverPath = ToServer(path);
        return SendAsync(OpCode.GetAcl, path, w => w.WriteString(serverPath),
            static (in ReplyHeader _, ref JuteReader r) => new AclResult(r.ReadAcls(), r.ReadStat()), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<Stat> SetAclAsync(string path, IReadOnlyList<Acl> acl, int aclVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(acl);
        var serverPath = ToServer(path);
        return SendAsync(OpCode.SetAcl, path, w => Requests.WriteSetAcl(w, serverPath, acl, aclVersion), ReadStat, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task AddAuthAsync(string scheme, ReadOnlyMemory<byte> auth, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        var bytes = auth.ToArray();
        var call = new Call<bool>(OpCode.Auth, null, w => Requests.WriteAuth(w, scheme, bytes), NoValue) { Xid = Xids.Auth };
        await _session.SubmitAsync(call, cancellationToken);
        // Only credentials the server accepted are replayed when the session re-attaches.
        _session.RememberAuth(scheme, bytes);
    }

    /// <inheritdoc/>
    public Task AddWatchAsync(string path, AddWatchMode mode, Watcher watcher, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        var serverPath = ToServer(path);
        var kind = mode == AddWatchMode.PersistentRecursive ? WatchKind.PersistentRecursive : WatchKind.Persistent;
        return SendAsync(OpCode.AddWatch, path, w => Requests.WritePathInt(w, serverPath, (int)mode), NoValue,
            cancellationToken, new WatchRegistration(kind, serverPath, watcher));
    }
}

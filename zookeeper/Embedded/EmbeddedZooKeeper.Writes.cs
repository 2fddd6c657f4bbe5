using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Gating.ZooKeeper.Embedded;

/// <summary>
/// The single writer: takes every queued request (group commit), prepares each against the state left by the ones
/// before it, appends the batch's transactions to the journal, flushes once, then publishes the new state, fires
/// the watches in transaction order and acknowledges the requests.
/// </summary>
public sealed partial class EmbeddedZooKeeper
{
    private const int MaxBatch = 1024;

    private async Task WriterLoopAsync()
    {
        var batch = new List<WriteRequest>(MaxBatch);
        while (await _writes.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _writes.Reader.TryRead(out var request))
            {
                batch.Add(request);
            }
            try
            {
                ProcessBatch(batch);
            }
#pragma warning disable CA1031 // the writer must outlive a bug in one batch, or every later caller would hang
            catch (Exception e)
#pragma warning restore CA1031
            {
                // Nothing of the batch was published; refuse further writes since the journal may hold part of it.
                _broken = e;
                LogJournalFailed(e);
                foreach (var request in batch)
                {
                    request.Fail(new ZooKeeperException(ErrorCode.SystemError, null, "the embedded store failed", e));
                }
            }
        }
        // Requests that raced with the shutdown.
        while (_writes.Reader.TryRead(out var late))
        {
            late.Fail(new ZooKeeperException(ErrorCode.ConnectionLoss, null, "the embedded store is closed"));
        }
    }

    private void ProcessBatch(List<WriteRequest> batch)
    {
        if (_broken is { } broken)
        {
            foreach (var request in batch)
            {
                request.Fail(new ZooKeeperException(ErrorCode.SystemError, null, "the embedded store failed to write its journal", broken));
            }
            return;
        }
        var before = State;
        var nodes = before.Nodes.ToBuilder();
        var sessions = before.Sessions.ToBuilder();
        var store = new BuilderNodeStore(nodes);
        var zxid = before.LastZxid;
        var now = NowMs();
        var prepared = new List<PreparedWrite>(batch.Count);
        foreach (var request in batch)
        {
            var result = Prepare(request, store, sessions, ref zxid, now);
            prepared.Add(result);
        }
        var txns = prepared.SelectMany(p => p.Txns).ToList();
        if (txns.Count > 0 && _journal is not null)
        {
            try
            {
                _journal.Append(txns);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The tree may no longer match the disk: refuse every later write rather than acknowledge one
                // that a restart would lose.
                _broken = e;
                LogJournalFailed(e);
                foreach (var p in prepared)
                {
                    p.Request.Fail(new ZooKeeperException(ErrorCode.SystemError, null, "the embedded store failed to write its journal", e));
                }
                return;
            }
        }
        var after = new DataState(nodes.ToImmutable(), sessions.ToImmutable(), zxid);
        lock (_watchLock)
        {
            Volatile.Write(ref _state, after);
            foreach (var txn in txns)
            {
                TriggerWatches(txn);
            }
        }
        foreach (var p in prepared)
        {
            AfterCommit(p);
        }
        if (_journal is not null && txns.Count > 0 && _journal.ShouldSnapshot)
        {
            _journal.StartSnapshot(after);
        }
    }

    private PreparedWrite Prepare(
        WriteRequest request, BuilderNodeStore store, ImmutableDictionary<long, SessionRecord>.Builder sessions,
        ref long zxid, long now)
    {
        try
        {
            switch (request)
            {
                case WriteRequest.Ops ops:
                    {
                        RequireSession(sessions, ops.Session);
                        var (txnOps, results) = PrepareOps(store, ops);
                        if (txnOps.Length == 0 && !ops.IsMulti)
                        {
                            return new PreparedWrite(request, [], results, null);
                        }
                        var txn = Commit(store, sessions, ref zxid, now, txnOps, results);
                        return new PreparedWrite(request, [txn], results, null);
                    }
                case WriteRequest.SetAcl setAcl:
                    {
                        RequireSession(sessions, setAcl.Session);
                        var op = TxnPreparer.PrepareSetAcl(store, setAcl.Path, setAcl.Acl, setAcl.AclVersion, setAcl.Session);
                        var txn = Commit(store, sessions, ref zxid, now, [op]);
                        return new PreparedWrite(request, [txn], store.Get(setAcl.Path)!.ToStat(), null);
                    }
                case WriteRequest.CreateSession create:
                    {
                        var record = new SessionRecord(_nextSessionId++, create.TimeoutMs, NewPassword());
                        var txn = Commit(store, sessions, ref zxid, now, [new TxnOp.CreateSession(record.Id, record.TimeoutMs, record.Password)]);
                        return new PreparedWrite(request, [txn], record, null);
                    }
                case WriteRequest.CloseSession close:
                    return PrepareClose(close, store, sessions, ref zxid, now);
                case WriteRequest.Sweep:
                    return PrepareSweep(request, store, sessions, ref zxid, now);
                case WriteRequest.Barrier:
                    return new PreparedWrite(request, [], null, null);
                default:
                    throw new InvalidOperationException($"unknown request {request}");
            }
        }
        catch (ZooKeeperException e)
        {
            return new PreparedWrite(request, [], null, e);
        }
    }

    private static void RequireSession(ImmutableDictionary<long, SessionRecord>.Builder sessions, SessionContext session)
    {
        if (!sessions.ContainsKey(session.SessionId))
        {
            throw ZooKeeperException.From(ErrorCode.SessionExpired, null);
        }
    }

    /// <summary>Prepares every op against an overlay, so a failing multi leaves nothing behind.</summary>
    private (ImmutableArray<TxnOp> Ops, OpResult[] Results) PrepareOps(BuilderNodeStore store, WriteRequest.Ops request)
    {
        var overlay = new OverlayNodeStore(store);
        var txnOps = ImmutableArray.CreateBuilder<TxnOp>();
        var results = new OpResult[request.Operations.Count];
        for (var i = 0; i < request.Operations.Count; i++)
        {
            var op = request.Operations[i];
            try
            {
                CheckSize(op, request.Session);
                var (txnOp, path) = TxnPreparer.Prepare(overlay, op, request.Session);
                if (txnOp is not null)
                {
                    TxnApplier.Apply(overlay, 0, 0, txnOp); // zxid and time do not matter to later checks
                    txnOps.Add(txnOp);
                }
                results[i] = op switch
                {
                    Op.Create => new OpResult.Create(path, default),
                    Op.Delete => new OpResult.Delete(),
                    Op.SetData => new OpResult.SetData(default),
                    _ => new OpResult.Check(),
                };
            }
            catch (ZooKeeperException e) when (request.IsMulti)
            {
                for (var j = 0; j < results.Length; j++)
                {
                    results[j] = new OpResult.Error(j < i ? ErrorCode.Ok : j == i ? e.Code : ErrorCode.RuntimeInconsistency);
                }
                throw new ZooKeeperMultiException(e.Code, e.Path, results);
            }
        }
        return (txnOps.ToImmutable(), results);
    }

    private void CheckSize(Op op, SessionContext session)
    {
        var length = op switch
        {
            Op.Create create => create.Data.Length,
            Op.SetData set => set.Data.Length,
            _ => 0,
        };
        if (length > _options.MaxDataBytes)
        {
            throw new ZooKeeperException(ErrorCode.BadArguments, PathRules.ToClient(session.Chroot, op.Path),
                $"KeeperErrorCode = BadArguments: {length} bytes exceed the {_options.MaxDataBytes} byte limit (jute.maxbuffer)");
        }
    }

    /// <summary>
    /// Applies the ops under the next zxid. When <paramref name="results"/> is given, the create and setData results
    /// get the node's stat as it was right after their op, as ZooKeeper reports them.
    /// </summary>
    private static Txn Commit(
        BuilderNodeStore store, ImmutableDictionary<long, SessionRecord>.Builder sessions, ref long zxid, long now,
        ImmutableArray<TxnOp> ops, OpResult[]? results = null)
    {
        zxid++;
        var resultIndex = 0;
        foreach (var op in ops)
        {
            TxnApplier.Apply(store, zxid, now, op);
            TxnApplier.ApplySession(sessions, op);
            if (results is null)
            {
                continue;
            }
            while (results[resultIndex] is OpResult.Check)
            {
                resultIndex++; // checks write nothing, so they have no op here
            }
            results[resultIndex] = results[resultIndex] switch
            {
                OpResult.Create create => create with { Stat = store.Get(create.Path)!.ToStat() },
                OpResult.SetData when op is TxnOp.SetData set => new OpResult.SetData(store.Get(set.Path)!.ToStat()),
                var other => other,
            };
            resultIndex++;
        }
        return new Txn(zxid, now, ops);
    }

    private PreparedWrite PrepareClose(
        WriteRequest.CloseSession close, BuilderNodeStore store, ImmutableDictionary<long, SessionRecord>.Builder sessions,
        ref long zxid, long now)
    {
        if (!sessions.ContainsKey(close.SessionId)
            || (close.OnlyIfStillUnheard && !_detachedSinceMs.TryRemove(close.SessionId, out _)))
        {
            return new PreparedWrite(close, [], false, null); // already gone, or its client came back just in time
        }
        var ops = ImmutableArray.CreateBuilder<TxnOp>();
        foreach (var path in store.Nodes.Where(n => n.Value.EphemeralOwner == close.SessionId).Select(n => n.Key).Order(StringComparer.Ordinal))
        {
            ops.Add(new TxnOp.DeleteNode(path));
        }
        ops.Add(new TxnOp.CloseSession(close.SessionId));
        var txn = Commit(store, sessions, ref zxid, now, ops.ToImmutable());
        return new PreparedWrite(close, [txn], true, null);
    }

    private PreparedWrite PrepareSweep(
        WriteRequest request, BuilderNodeStore store, ImmutableDictionary<long, SessionRecord>.Builder sessions,
        ref long zxid, long now)
    {
        var candidates = store.Nodes
            .Where(n => n.Value.Children.Count == 0
                && (n.Value.EphemeralOwner == EphemeralOwner.Container && n.Value.CreateCount > 0
                    || EphemeralOwner.IsTtl(n.Value.EphemeralOwner) && now - n.Value.Mtime > EphemeralOwner.Ttl(n.Value.EphemeralOwner)))
            .Select(n => n.Key)
            .OrderBy(p => p, StringComparer.Ordinal)
            .ToList();
        var txns = ImmutableArray.CreateBuilder<Txn>();
        foreach (var path in candidates)
        {
            // Each deletion is its own transaction, as ZooKeeper's deleteContainer requests are.
            if (store.Get(path) is { Children.Count: 0 })
            {
                txns.Add(Commit(store, sessions, ref zxid, now, [new TxnOp.DeleteNode(path)]));
            }
        }
        return new PreparedWrite(request, txns.ToImmutable(), candidates.Count, null);
    }

    private void AfterCommit(PreparedWrite prepared)
    {
        if (prepared.Error is not null)
        {
            prepared.Request.Fail(prepared.Error);
            return;
        }
        if (prepared.Request is WriteRequest.CloseSession { Expired: true } close && prepared.Result is true
            && _attached.TryRemove(close.SessionId, out var session))
        {
            session.OnExpired();
        }
        prepared.Request.Complete(prepared.Result);
    }

    [LoggerMessage(EventId = 3102, Level = LogLevel.Critical, Message = "The embedded ZooKeeper journal failed; refusing further writes")]
    private partial void LogJournalFailed(Exception exception);
}

using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>
/// A request to submit with <see cref="JobRequestQueue{TData}.SubmitManyAsync"/>: the request and its parameters
/// (empty for none).
/// </summary>
public sealed record JobSubmission<TData>(JobRequest<TData> Request, ReadOnlyMemory<byte> Parameters);

/// <summary>
/// The requestor's batch operations. Many requests go in few multis, all sent at once (the client pipelines
/// concurrent calls), and every one stays idempotent: a multi fails as a whole when one of its requests is already
/// there (a repeated submit after a crash) or changed under it (a worker took it), and the requests of a failed multi
/// are then done one by one, the way the single-request methods do them.
/// </summary>
public sealed partial class JobRequestQueue<TData>
{
    /// <summary>The payload budget of one multi: ZooKeeper's default jute.maxbuffer is 1 MiB for a whole request, so
    /// this leaves room for framing.</summary>
    public const int MultiBudgetBytes = 900_000;

    /// <summary>The most ops in one multi: a failed multi redoes its requests one by one, so smaller is cheaper then.</summary>
    public const int MultiMaxOps = 1_000;

    private const int OpOverheadBytes = 32;

    private volatile bool _parentsReady;

    /// <summary>
    /// Submits many requests in state requested (nobody waits for their results): each request's parameters and the
    /// request itself are created in the same multi, so a worker never sees a request without its parameters, and
    /// several requests share a multi up to <see cref="MultiBudgetBytes"/>. Requests created by one multi share a
    /// creation zxid; <see cref="JobRequest{TData}.TransactionIndex"/> keeps them in the order given, so workers serve
    /// them in that order (by precedence first). Returns, per request, true when it was created now and false when it
    /// was there already (submitted before a crash): there is no read before the create.
    /// </summary>
    public async Task<IReadOnlyList<bool>> SubmitManyAsync(IReadOnlyList<JobSubmission<TData>> submissions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submissions);
        var created = new bool[submissions.Count];
        if (submissions.Count == 0)
        {
            return created;
        }
        await EnsureParentsAsync(cancellationToken);
        // Parameters are read once and deleted: fast compression beats small bytes.
        var blob = new ShardedBlob(_zk, compression: System.IO.Compression.CompressionLevel.Fastest);
        var groups = new List<OpGroup>();
        for (var i = 0; i < submissions.Count; i++)
        {
            var (request, parameters) = submissions[i];
            ArgumentException.ThrowIfNullOrEmpty(request.Uuid);
            var submitted = request with { State = JobRequestState.Requested, WorkerInfo = null, TransactionIndex = i };
            var ops = new List<Op>();
            if (!parameters.IsEmpty)
            {
                if (blob.CreateOps(ParamsPath(request.Uuid), parameters) is not { } paramOps)
                {
                    // Larger than one shard: written alone, the way SubmitAsync does.
                    created[i] = await SubmitOneAsync(submissions[i], cancellationToken);
                    continue;
                }
                ops.AddRange(paramOps);
            }
            ops.Add(new Op.Create(RequestPath(request.Uuid), Serialize(submitted), CreateOptions.Persistent));
            groups.Add(new OpGroup(i, ops));
        }
        await RunGroupsAsync(groups, (i, _) => created[i] = true, async (i, ct) => created[i] = await SubmitOneAsync(submissions[i], ct), cancellationToken);
        return created;
    }

    /// <summary>Sends <paramref name="signal"/> to the workers of many requests; per request, false when it is gone.</summary>
    public async Task<IReadOnlyList<bool>> SignalManyAsync(IReadOnlyList<string> uuids, JobSignal signal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uuids);
        var sent = new bool[uuids.Count];
        var reads = uuids.Select(uuid => (Request: _zk.ExistsAsync(RequestPath(uuid), null, cancellationToken), Signal: _zk.ExistsAsync(SignalPath(uuid, signal), null, cancellationToken))).ToList();
        var groups = new List<OpGroup>();
        for (var i = 0; i < uuids.Count; i++)
        {
            var exists = await reads[i].Request is not null;
            sent[i] = exists;
            if (exists && await reads[i].Signal is null)
            {
                groups.Add(new OpGroup(i, [new Op.Create(SignalPath(uuids[i], signal), default, CreateOptions.Persistent)]));
            }
        }
        await RunGroupsAsync(groups, (_, _) => { }, async (i, ct) => sent[i] = await SignalAsync(uuids[i], signal, ct), cancellationToken);
        return sent;
    }

    /// <summary>One request the way a repeated submit must treat it: skipped when it is there, else created.</summary>
    private async Task<bool> SubmitOneAsync(JobSubmission<TData> submission, CancellationToken cancellationToken)
    {
        if (await GetAsync(submission.Request.Uuid, cancellationToken) is not null)
        {
            return false;
        }
        try
        {
            await SubmitAsync(submission.Request, submission.Parameters, waitForResult: false, cancellationToken);
            return true;
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NodeExists)
        {
            return false; // another requestor carried out the same submit first
        }
    }

    private async Task EnsureParentsAsync(CancellationToken cancellationToken)
    {
        if (_parentsReady)
        {
            return;
        }
        await Task.WhenAll(_zk.EnsurePathAsync(RequestsPath, cancellationToken), _zk.EnsurePathAsync(Root + "/params", cancellationToken),
            _zk.EnsurePathAsync(Root + "/locks", cancellationToken));
        _parentsReady = true;
    }

    /// <summary>The ops of one request, which must commit together; <see cref="Index"/> is the caller's position.</summary>
    private sealed record OpGroup(int Index, IReadOnlyList<Op> Ops);

    /// <summary>
    /// Packs whole groups into multis under the budgets, sends all the multis at once and awaits them together. A
    /// multi that fails on the state of a node (exists, missing, version, not empty) hands each of its groups to
    /// <paramref name="oneByOne"/>; other errors (the connection) propagate, and the caller's retry finds the work
    /// done so far.
    /// </summary>
    private async Task RunGroupsAsync(List<OpGroup> groups, Action<int, IReadOnlyList<OpResult>> done,
        Func<int, CancellationToken, Task> oneByOne, CancellationToken cancellationToken)
    {
        var multis = new List<List<OpGroup>>();
        var ops = 0;
        var bytes = 0;
        foreach (var group in groups)
        {
            var size = group.Ops.Sum(SizeOf);
            if (multis.Count == 0 || ops + group.Ops.Count > MultiMaxOps || bytes + size > MultiBudgetBytes)
            {
                multis.Add([]);
                ops = 0;
                bytes = 0;
            }
            multis[^1].Add(group);
            ops += group.Ops.Count;
            bytes += size;
        }
        var sent = multis.Select(m => (Groups: m, Task: _zk.MultiAsync(m.SelectMany(g => g.Ops).ToList(), cancellationToken))).ToList();
        foreach (var (multi, task) in sent)
        {
            IReadOnlyList<OpResult> results;
            try
            {
                results = await task;
            }
            catch (ZooKeeperMultiException e) when (e.Code is ErrorCode.NodeExists or ErrorCode.NoNode or ErrorCode.BadVersion or ErrorCode.NotEmpty)
            {
                foreach (var group in multi)
                {
                    await oneByOne(group.Index, cancellationToken);
                }
                continue;
            }
            var offset = 0;
            foreach (var group in multi)
            {
                done(group.Index, results.Skip(offset).Take(group.Ops.Count).ToList());
                offset += group.Ops.Count;
            }
        }
    }

    private static int SizeOf(Op op) => OpOverheadBytes + op.Path.Length + op switch
    {
        Op.Create create => create.Data.Length,
        Op.SetData set => set.Data.Length,
        _ => 0,
    };
}

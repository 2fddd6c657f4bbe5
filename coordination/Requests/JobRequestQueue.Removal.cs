using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>The requestor's cancel and removal, for one request or many, each request in one multi.</summary>
public sealed partial class JobRequestQueue<TData>
{
    private const string CancelSignalName = "cancel";

    /// <summary>
    /// Removes a finished request and everything beside it (signals, parameters, results, waiter) in one multi of the
    /// nodes that exist. The lock node is left to the worker's session; <see cref="CleanupLocksAsync"/> removes it
    /// once nobody holds it.
    /// </summary>
    public Task RemoveAsync(string uuid, CancellationToken cancellationToken) => RemoveManyAsync([uuid], cancellationToken);

    /// <summary>
    /// <see cref="RemoveAsync"/> for many requests: the reads of all of them go out together, then each request's
    /// deletes, packed into few multis sent together. A request whose nodes changed between the read and the multi
    /// (a node appeared or went) is removed one node at a time instead. Requests already gone cost no write.
    /// </summary>
    public async Task RemoveManyAsync(IReadOnlyList<string> uuids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uuids);
        var reads = uuids.Select(uuid => RemovalOpsAsync(uuid, cancellationToken)).ToList();
        var groups = new List<OpGroup>();
        for (var i = 0; i < uuids.Count; i++)
        {
            var ops = await reads[i];
            if (ops.Count > 0)
            {
                groups.Add(new OpGroup(i, ops));
            }
        }
        await RunGroupsAsync(groups, (_, _) => { }, (i, ct) => RemoveOneByOneAsync(uuids[i], ct), cancellationToken);
    }

    /// <summary>
    /// Cancels many requests, as <see cref="CancelAsync"/> does one, with fewer writes:
    /// <list type="bullet">
    /// <item>A running or paused request gets the cancel signal (signals of many requests in one multi); its worker
    /// stops it and completes it: <see cref="CancelOutcome.Signalled"/>.</item>
    /// <item>A requested one that no worker has ever tried to lock (it has no lock node) is removed at once, with its
    /// parameters and everything beside it, without taking its lock: one multi creates and deletes the lock node
    /// (NodeExists when a worker has begun to lock it: the worker wins and the request goes the single way below) and
    /// deletes the request at the version read as requested. A worker that lists it just before the multi then finds
    /// it gone under its lock and skips it. <see cref="CancelOutcome.CompletedBeforeStart"/>: removed, with no result.</item>
    /// <item>A requested one with a lock node goes the single way (<see cref="CancelAsync"/>'s lock, then
    /// <see cref="RemoveAsync"/> if it was completed here).</item>
    /// </list>
    /// Completed or missing requests are <see cref="CancelOutcome.NotFound"/>. Repeating a call changes nothing more.
    /// </summary>
    public async Task<IReadOnlyList<CancelOutcome>> CancelManyAsync(IReadOnlyList<string> uuids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uuids);
        var outcomes = new CancelOutcome[uuids.Count];
        if (uuids.Count == 0)
        {
            return outcomes;
        }
        await EnsureParentsAsync(cancellationToken);
        var reads = uuids.Select(uuid => ReadForCancelAsync(uuid, cancellationToken)).ToList();
        var signals = new List<OpGroup>();
        var unstarted = new List<(int Index, Task<List<Op>> Ops)>();
        var locked = new List<int>();
        for (var i = 0; i < uuids.Count; i++)
        {
            var (request, children, lockNode) = await reads[i];
            if (request is null || request.State == JobRequestState.Completed)
            {
                outcomes[i] = CancelOutcome.NotFound;
            }
            else if (request.State is JobRequestState.Requested or JobRequestState.Unsubmitted)
            {
                if (lockNode)
                {
                    locked.Add(i);
                }
                else
                {
                    unstarted.Add((i, UnstartedRemovalOpsAsync(request, children, cancellationToken)));
                }
            }
            else
            {
                outcomes[i] = CancelOutcome.Signalled;
                if (!children.Contains(CancelSignalName))
                {
                    signals.Add(new OpGroup(i, [new Op.Create(SignalPath(uuids[i], JobSignal.Cancel), default, CreateOptions.Persistent)]));
                }
            }
        }
        var removals = new List<OpGroup>();
        foreach (var (i, ops) in unstarted)
        {
            removals.Add(new OpGroup(i, await ops));
            outcomes[i] = CancelOutcome.CompletedBeforeStart;
        }
        await Task.WhenAll(
            RunGroupsAsync(signals, (_, _) => { }, async (i, ct) => outcomes[i] = await SignalAsync(uuids[i], JobSignal.Cancel, ct) ? CancelOutcome.Signalled : CancelOutcome.NotFound, cancellationToken),
            RunGroupsAsync(removals, (_, _) => { }, async (i, ct) => outcomes[i] = await CancelAndRemoveOneAsync(uuids[i], ct), cancellationToken));
        foreach (var i in locked)
        {
            outcomes[i] = await CancelAndRemoveOneAsync(uuids[i], cancellationToken);
        }
        return outcomes;
    }

    private async Task<CancelOutcome> CancelAndRemoveOneAsync(string uuid, CancellationToken cancellationToken)
    {
        var outcome = await CancelAsync(uuid, cancellationToken);
        if (outcome == CancelOutcome.CompletedBeforeStart)
        {
            await RemoveOneByOneAsync(uuid, cancellationToken);
        }
        return outcome;
    }

    private async Task<(JobRequest<TData>? Request, IReadOnlyList<string> Children, bool LockNode)> ReadForCancelAsync(string uuid, CancellationToken cancellationToken)
    {
        var request = GetAsync(uuid, cancellationToken);
        var children = _zk.TryGetChildrenAsync(RequestPath(uuid), cancellationToken);
        var lockNode = _zk.ExistsAsync(LockPath(uuid), null, cancellationToken);
        return (await request, await children, await lockNode is not null);
    }

    /// <summary>The lock node's create and delete make the multi fail if a worker has begun to lock the request; the
    /// versioned delete makes it fail if the request changed since it was read as requested.</summary>
    private async Task<List<Op>> UnstartedRemovalOpsAsync(JobRequest<TData> request, IReadOnlyList<string> children, CancellationToken cancellationToken)
    {
        var ops = new List<Op>
        {
            new Op.Create(LockPath(request.Uuid), default, CreateOptions.Persistent),
            new Op.Delete(LockPath(request.Uuid), ZooKeeperVersion.Any),
        };
        ops.AddRange(children.Select(c => new Op.Delete($"{RequestPath(request.Uuid)}/{c}", ZooKeeperVersion.Any)));
        ops.Add(new Op.Delete(RequestPath(request.Uuid), request.Version));
        ops.AddRange(await BesideRequestOpsAsync(request.Uuid, cancellationToken));
        return ops;
    }

    /// <summary>Deletes of every node of the request that exists now, children before parents.</summary>
    private async Task<List<Op>> RemovalOpsAsync(string uuid, CancellationToken cancellationToken)
    {
        var children = ChildrenOrNullAsync(RequestPath(uuid), cancellationToken);
        var beside = BesideRequestOpsAsync(uuid, cancellationToken);
        var ops = new List<Op>();
        if (await children is { } names)
        {
            ops.AddRange(names.Select(c => new Op.Delete($"{RequestPath(uuid)}/{c}", ZooKeeperVersion.Any)));
            ops.Add(new Op.Delete(RequestPath(uuid), ZooKeeperVersion.Any));
        }
        ops.AddRange(await beside);
        return ops;
    }

    /// <summary>Deletes of the parameters, result, result data and waiter that exist now.</summary>
    private async Task<List<Op>> BesideRequestOpsAsync(string uuid, CancellationToken cancellationToken)
    {
        var blob = new ShardedBlob(_zk);
        var parameters = blob.DeleteOpsAsync(ParamsPath(uuid), cancellationToken);
        var result = _zk.ExistsAsync(ResultPath(uuid), null, cancellationToken);
        var resultData = blob.DeleteOpsAsync(ResultDataPath(uuid), cancellationToken);
        var waiter = _zk.ExistsAsync(WaiterPath(uuid), null, cancellationToken);
        var ops = new List<Op>(await parameters);
        if (await result is not null)
        {
            ops.Add(new Op.Delete(ResultPath(uuid), ZooKeeperVersion.Any));
        }
        ops.AddRange(await resultData);
        if (await waiter is not null)
        {
            ops.Add(new Op.Delete(WaiterPath(uuid), ZooKeeperVersion.Any));
        }
        return ops;
    }

    private async Task<IReadOnlyList<string>?> ChildrenOrNullAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return (await _zk.GetChildrenAsync(path, null, cancellationToken)).Children;
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
        {
            return null;
        }
    }

    /// <summary>The removal node by node, for a request whose nodes changed under a batch.</summary>
    private async Task RemoveOneByOneAsync(string uuid, CancellationToken cancellationToken)
    {
        await _zk.DeleteTreeAsync(RequestPath(uuid), cancellationToken);
        await _zk.DeleteTreeAsync(ParamsPath(uuid), cancellationToken);
        await _zk.TryDeleteAsync(ResultPath(uuid), cancellationToken);
        await _zk.DeleteTreeAsync(ResultDataPath(uuid), cancellationToken);
        await _zk.TryDeleteAsync(WaiterPath(uuid), cancellationToken);
    }
}

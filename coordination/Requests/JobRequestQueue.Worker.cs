using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>The worker's side: take the next request under its lock, move it through its states, complete it.</summary>
public sealed partial class JobRequestQueue<TData>
{
    /// <summary>Takes a request's side-channel lock without waiting; null when someone holds it or the request is gone.</summary>
    public async Task<LockedJobRequest<TData>?> TryLockAsync(string uuid, CancellationToken cancellationToken)
    {
        var handle = await ZkLock.Exclusive(_zk, LockPath(uuid), _time).TryAcquireAsync(cancellationToken);
        if (handle is null)
        {
            return null;
        }
        var request = await GetAsync(uuid, cancellationToken);
        if (request is null)
        {
            await handle.ReleaseAsync(cancellationToken);
            return null;
        }
        return new LockedJobRequest<TData>(request, handle);
    }

    /// <summary>
    /// The first request in (precedence, creation) order that is requested, accepted by <paramref name="accept"/>
    /// and not locked by another worker: locked, and re-checked to be still requested after the lock was taken.
    /// Null when there is none.
    /// </summary>
    public async Task<LockedJobRequest<TData>?> NextAvailableAsync(Func<JobRequest<TData>, bool>? accept, CancellationToken cancellationToken)
    {
        foreach (var request in await GetRequestsAsync(cancellationToken))
        {
            if (request.State != JobRequestState.Requested || (accept is not null && !accept(request)))
            {
                continue;
            }
            var locked = await TryLockAsync(request.Uuid, cancellationToken);
            if (locked is null)
            {
                continue;
            }
            if (locked.Request.State == JobRequestState.Requested)
            {
                return locked;
            }
            await locked.DisposeAsync(); // another worker ran it between our listing and our lock
        }
        return null;
    }

    /// <summary>Reads the request's parameters (empty when it has none).</summary>
    public async Task<byte[]> ReadParamsAsync(string uuid, CancellationToken cancellationToken) =>
        (await new ShardedBlob(_zk).ReadAsync(ParamsPath(uuid), cancellationToken))?.Data ?? [];

    /// <summary>
    /// Marks the request running on <paramref name="worker"/> and deletes its parameters (read them first), in one
    /// multi when the parameters are as their header says; otherwise the parameters go after, node by node.
    /// </summary>
    public async Task<JobRequest<TData>> MarkRunningAsync(LockedJobRequest<TData> locked, JobWorker worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(locked);
        JobRequest<TData> Running(JobRequest<TData> r) => r with { State = JobRequestState.Running, WorkerInfo = worker };
        var deleteParams = await new ShardedBlob(_zk).DeleteOpsAsync(ParamsPath(locked.Uuid), cancellationToken);
        if (deleteParams.Count > 0)
        {
            try
            {
                return await UpdateAsync(locked, Running, deleteParams, cancellationToken);
            }
            catch (ZooKeeperMultiException e) when (e.Code is ErrorCode.NotEmpty || (e.Code is ErrorCode.NoNode && e.Results.Count > 2 && e.Results[1] is OpResult.Error { Code: ErrorCode.Ok }))
            {
                // A generation the header does not name, or parameters deleted meanwhile: the way below.
            }
        }
        var running = await UpdateAsync(locked, Running, [], cancellationToken);
        await _zk.DeleteTreeAsync(ParamsPath(locked.Uuid), cancellationToken);
        return running;
    }

    /// <summary>Marks the request paused (a build waiting for its children).</summary>
    public Task<JobRequest<TData>> PauseAsync(LockedJobRequest<TData> locked, CancellationToken cancellationToken) =>
        UpdateAsync(locked, r => r with { State = JobRequestState.Paused }, [], cancellationToken);

    /// <summary>Back to running after a resume signal; the signal is consumed in the same transaction.</summary>
    public async Task<JobRequest<TData>> ResumeAsync(LockedJobRequest<TData> locked, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(locked);
        var consume = await _zk.ExistsAsync(SignalPath(locked.Uuid, JobSignal.Resume), null, cancellationToken) is null
            ? Array.Empty<Op>()
            : [new Op.Delete(SignalPath(locked.Uuid, JobSignal.Resume), ZooKeeperVersion.Any)];
        return await UpdateAsync(locked, r => r with { State = JobRequestState.Running }, consume, cancellationToken);
    }

    /// <summary>Puts an orphaned request (its worker is gone) back to requested, so another worker runs it.</summary>
    public Task<JobRequest<TData>> RequeueAsync(LockedJobRequest<TData> locked, CancellationToken cancellationToken) =>
        UpdateAsync(locked, r => r with { State = JobRequestState.Requested, WorkerInfo = null }, [], cancellationToken);

    /// <summary>True when the requestor has sent the signal.</summary>
    public async Task<bool> IsSignalledAsync(string uuid, JobSignal signal, CancellationToken cancellationToken) =>
        await _zk.ExistsAsync(SignalPath(uuid, signal), null, cancellationToken) is not null;

    /// <summary>Returns once the signal has been sent (at once if it has).</summary>
    public async Task WaitForSignalAsync(string uuid, JobSignal signal, CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (await _zk.ExistsAsync(SignalPath(uuid, signal), _ => changed.TrySetResult(), cancellationToken) is not null)
            {
                return;
            }
            await changed.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Completes the request: the result goes to <c>result-data</c> first, then one transaction checks the lock is
    /// still ours, sets the state completed, writes the <c>results</c> marker and runs <paramref name="alsoInTransaction"/>
    /// (e.g. the completion event on the pipeline's result queue, as Zuul does). Then the lock is released.
    /// </summary>
    public async Task<JobRequest<TData>> CompleteAsync(LockedJobRequest<TData> locked, ReadOnlyMemory<byte> result,
        IReadOnlyList<Op> alsoInTransaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(locked);
        if (locked.Lock.IsLost || locked.Lock.IsReleased)
        {
            throw new LockLostException(locked.Lock.NodePath);
        }
        try
        {
            if (!result.IsEmpty)
            {
                await new ShardedBlob(_zk).WriteAsync(ResultDataPath(locked.Uuid), result, ZooKeeperVersion.Any, cancellationToken);
            }
            await _zk.EnsurePathAsync(Root + "/results", cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code is ErrorCode.SessionExpired or ErrorCode.ClientClosed)
        {
            throw new LockLostException(locked.Lock.NodePath, e);
        }
        var completed = await UpdateAsync(locked, r => r with { State = JobRequestState.Completed },
            [new Op.Create(ResultPath(locked.Uuid), default, CreateOptions.Persistent), .. alsoInTransaction], cancellationToken);
        await locked.Lock.ReleaseAsync(cancellationToken);
        return completed;
    }

    /// <summary>
    /// Changes the request under the lock: one multi checks the worker's lock node still exists and writes the request
    /// at the version last seen (plus <paramref name="alsoInTransaction"/>). A version conflict (the requestor changed
    /// it) re-reads and applies the change again; a missing lock node throws <see cref="LockLostException"/>.
    /// </summary>
    public async Task<JobRequest<TData>> UpdateAsync(LockedJobRequest<TData> locked, Func<JobRequest<TData>, JobRequest<TData>> change,
        IReadOnlyList<Op> alsoInTransaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(locked);
        ArgumentNullException.ThrowIfNull(change);
        while (true)
        {
            if (locked.Lock.IsLost || locked.Lock.IsReleased)
            {
                throw new LockLostException(locked.Lock.NodePath);
            }
            var updated = change(locked.Request) with { Uuid = locked.Uuid };
            List<Op> ops =
            [
                new Op.Check(locked.Lock.NodePath, ZooKeeperVersion.Any),
                new Op.SetData(RequestPath(locked.Uuid), Serialize(updated), locked.Request.Version),
                .. alsoInTransaction,
            ];
            try
            {
                var results = await _zk.MultiAsync(ops, cancellationToken);
                var stat = ((OpResult.SetData)results[1]).Stat;
                locked.Request = updated with { Version = stat.Version, Czxid = stat.Czxid };
                return locked.Request;
            }
            catch (ZooKeeperMultiException e) when (e.Results.Count > 0 && e.Results[0] is OpResult.Error { Code: ErrorCode.NoNode })
            {
                throw new LockLostException(locked.Lock.NodePath, e);
            }
            catch (ZooKeeperException e) when (e.Code is ErrorCode.SessionExpired or ErrorCode.ClientClosed)
            {
                throw new LockLostException(locked.Lock.NodePath, e);
            }
            catch (ZooKeeperMultiException e) when (e.Results.Count > 1 && e.Results[1] is OpResult.Error { Code: ErrorCode.BadVersion })
            {
                locked.Request = await GetAsync(locked.Uuid, cancellationToken)
                    ?? throw ZooKeeperException.From(ErrorCode.NoNode, RequestPath(locked.Uuid));
            }
        }
    }
}

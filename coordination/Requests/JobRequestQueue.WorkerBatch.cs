using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>
/// The worker's batch operations, for a worker that takes and finishes many requests at once (the test kit's): the
/// reads and writes of all of them go out together, and completions commit in the order given.
/// </summary>
public sealed partial class JobRequestQueue<TData>
{
    /// <summary>
    /// Every request that is requested, accepted by <paramref name="accept"/> and not locked by another worker, up to
    /// <paramref name="max"/>, in (precedence, creation) order: one listing, then the locks taken together and each
    /// request re-checked to be still requested under its lock (as <see cref="NextAvailableAsync"/> does for one).
    /// For a worker that takes everything it can at once (the test kit's); the caller owns every returned lock.
    /// </summary>
    public async Task<IReadOnlyList<LockedJobRequest<TData>>> LockAvailableAsync(Func<JobRequest<TData>, bool>? accept, int max,
        CancellationToken cancellationToken)
    {
        var candidates = (await GetRequestsAsync(cancellationToken))
            .Where(r => r.State == JobRequestState.Requested && (accept is null || accept(r))).Take(max).ToList();
        var attempts = candidates.Select(r => TryLockAsync(r.Uuid, cancellationToken)).ToList();
        var taken = new List<LockedJobRequest<TData>>();
        Exception? failure = null;
        foreach (var attempt in attempts)
        {
            try
            {
                if (await attempt is not { } locked)
                {
                    continue;
                }
                if (locked.Request.State == JobRequestState.Requested)
                {
                    taken.Add(locked);
                }
                else
                {
                    await locked.DisposeAsync(); // another worker ran it between our listing and our lock
                }
            }
            catch (Exception e) when (e is ZooKeeperException or OperationCanceledException)
            {
                failure ??= e;
            }
        }
        if (failure is not null)
        {
            foreach (var locked in taken)
            {
                await locked.DisposeAsync();
            }
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        return taken;
    }

    /// <summary>
    /// Completes many locked requests as <see cref="CompleteAsync"/> does each: their results are written together,
    /// then the completion multis are sent in the order given without waiting for one another (a session's requests
    /// commit in the order sent, so the completion events the multis carry keep that order), then the locks are
    /// released. Per request, the completed request, or null when its owner removed it meanwhile (NoNode).
    /// </summary>
    public async Task<IReadOnlyList<JobRequest<TData>?>> CompleteManyAsync(IReadOnlyList<JobCompletion<TData>> completions,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completions);
        foreach (var completion in completions)
        {
            if (completion.Locked.Lock.IsLost || completion.Locked.Lock.IsReleased)
            {
                throw new LockLostException(completion.Locked.Lock.NodePath);
            }
        }
        var blob = new ShardedBlob(_zk);
        await Task.WhenAll(completions.Where(c => !c.Result.IsEmpty)
            .Select(c => blob.WriteAsync(ResultDataPath(c.Locked.Uuid), c.Result, ZooKeeperVersion.Any, cancellationToken)));
        await _zk.EnsurePathAsync(Root + "/results", cancellationToken);
        var updates = completions.Select(c => UpdateAsync(c.Locked, r => r with { State = JobRequestState.Completed },
            [new Op.Create(ResultPath(c.Locked.Uuid), default, CreateOptions.Persistent), .. c.AlsoInTransaction], cancellationToken)).ToList();
        var completed = new JobRequest<TData>?[completions.Count];
        Exception? failure = null;
        for (var i = 0; i < updates.Count; i++)
        {
            try
            {
                completed[i] = await updates[i];
            }
            catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
            {
                // Removed by its owner (cancelled before it saw the start): nothing to complete.
            }
            catch (Exception e) when (e is ZooKeeperException or LockLostException or OperationCanceledException)
            {
                failure ??= e;
            }
        }
        await Task.WhenAll(completions.Select(c => c.Locked.Lock.ReleaseAsync(cancellationToken)));
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        return completed;
    }
}

/// <summary>One completion for <see cref="JobRequestQueue{TData}.CompleteManyAsync"/>: the locked request, its result
/// (empty for none) and ops to commit with it (e.g. the completion event).</summary>
public sealed record JobCompletion<TData>(LockedJobRequest<TData> Locked, ReadOnlyMemory<byte> Result, IReadOnlyList<Op> AlsoInTransaction);

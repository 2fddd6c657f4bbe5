namespace Gating.Coordination;

/// <summary>
/// A request a worker has locked through its side-channel lock (tied to the worker's session). The worker may change
/// it only while it holds the lock; if <see cref="Lock"/> reports a loss, it must stop and submit nothing: the
/// request's owner will retry or clean it up. Disposing releases the lock.
/// </summary>
public sealed class LockedJobRequest<TData> : IAsyncDisposable
{
    internal LockedJobRequest(JobRequest<TData> request, LockHandle lockHandle)
    {
        Request = request;
        Lock = lockHandle;
    }

    /// <summary>The request as this worker last read or wrote it.</summary>
    public JobRequest<TData> Request { get; internal set; }

    /// <summary>The side-channel lock: its <see cref="LockHandle.LostToken"/> tells the worker it lost the request.</summary>
    public LockHandle Lock { get; }

    public string Uuid => Request.Uuid;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Lock.DisposeAsync();
}

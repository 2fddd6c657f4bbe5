namespace Gating.Nodepool.Launcher;

/// <summary>
/// A level-triggered wake-up for a worker loop: <see cref="Set"/> from any thread (a watch, a finished handler);
/// <see cref="WaitAsync"/> returns at once if set since the last <see cref="Reset"/>, else on the next set or
/// after the safety-net timeout. Many sets before one wait coalesce into one pass.
/// </summary>
public sealed class WakeSignal
{
    private TaskCompletionSource _set = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes the waiter (now or at its next wait).</summary>
    public void Set() => Volatile.Read(ref _set).TrySetResult();

    /// <summary>Forgets earlier sets; call before looking at the state, so changes during the look wake again.</summary>
    public void Reset()
    {
        var current = Volatile.Read(ref _set);
        if (current.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _set, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), current);
        }
    }

    /// <summary>Waits for a set or <paramref name="timeout"/> (measured on <paramref name="time"/>); true when set.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var set = Volatile.Read(ref _set).Task;
        try
        {
            await set.WaitAsync(timeout, time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}

/// <summary>How often a <see cref="PoolWorker"/> looks without being woken, and how often it cleans up.</summary>
public sealed record PoolWorkerTimings
{
    /// <summary>The longest wait between passes when no change wakes the worker (a missed watch event's bound).</summary>
    public TimeSpan SafetyNet { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long after a change the cleanup runs (so a burst of changes makes one cleanup, which lists the provider's instances).</summary>
    public TimeSpan Cleanup { get; init; } = TimeSpan.FromSeconds(1);
}

using System.Collections.Concurrent;

namespace Gating.Executor.Git;

/// <summary>One async lock per key (per repository): holders of different keys never wait for each other.</summary>
public sealed class AsyncKeyedLock
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <summary>Waits for the lock of <paramref name="key"/>; dispose the result to release it.</summary>
    public async Task<IDisposable> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        var semaphore = _locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(semaphore);
    }

    /// <summary>Takes the locks of several keys in ordinal order, so two callers never deadlock.</summary>
    public async Task<IDisposable> AcquireAllAsync(IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        var held = new List<IDisposable>();
        try
        {
            foreach (var key in keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                held.Add(await AcquireAsync(key, cancellationToken).ConfigureAwait(false));
            }
        }
        catch
        {
            held.ForEach(h => h.Dispose());
            throw;
        }
        return new Many(held);
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }

    private sealed class Many(List<IDisposable> held) : IDisposable
    {
        public void Dispose()
        {
            for (var i = held.Count - 1; i >= 0; i--)
            {
                held[i].Dispose();
            }
        }
    }
}

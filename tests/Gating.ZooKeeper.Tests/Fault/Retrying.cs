using System.Diagnostics;

namespace Gating.ZooKeeper.Tests.Fault;

/// <summary>Retries a call while it fails with a retryable ZooKeeper error, within a bound.</summary>
internal static class Retrying
{
    public static async Task<T> CallAsync<T>(Func<Task<T>> call, TimeSpan? bound = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = bound ?? TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                return await call().WaitAsync(limit);
            }
            catch (ZooKeeperException e) when (e.IsRetryable && clock.Elapsed < limit)
            {
                await Task.Delay(50);
            }
        }
    }

    public static Task CallAsync(Func<Task> call, TimeSpan? bound = null) =>
        CallAsync(async () => { await call(); return true; }, bound);
}

/// <summary>Records a client's state changes.</summary>
internal sealed class StateRecorder
{
    private readonly List<ConnectionState> _states = [];

    public StateRecorder(IZooKeeper zk) => zk.StateChanged += s => { lock (_states) { _states.Add(s); } };

    public IReadOnlyList<ConnectionState> All
    {
        get
        {
            lock (_states)
            {
                return [.. _states];
            }
        }
    }

    public bool Saw(ConnectionState state) => All.Contains(state);
}

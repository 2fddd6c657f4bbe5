using System.Diagnostics;
using Gating.ZooKeeper;

namespace Gating.Coordination.Tests.Infrastructure;

/// <summary>
/// The base of every recipe test: a backend of its own per test (xUnit makes one instance per test), sessions that
/// close when the test ends, a hang guard, and waiting on conditions instead of sleeping.
/// </summary>
public abstract class CoordinationTestBase<TBackend> : IAsyncLifetime
    where TBackend : ZooKeeperBackend, new()
{
    private readonly List<IZooKeeper> _sessions = [];
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    protected TBackend Backend { get; } = new();

    /// <summary>Cancelled if a test hangs.</summary>
    protected CancellationToken Ct => _timeout.Token;

    protected TimeProvider Time => Backend.Time;

    /// <summary>A new session that is closed when the test ends.</summary>
    protected async Task<IZooKeeper> SessionAsync()
    {
        var session = await Backend.ConnectAsync(Ct);
        lock (_sessions)
        {
            _sessions.Add(session);
        }
        return session;
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var session in _sessions)
        {
            await session.DisposeAsync();
        }
        await Backend.DisposeAsync();
        _timeout.Dispose();
    }

    /// <summary>Waits for a condition the test can see, with a generous bound.</summary>
    protected static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var bound = timeout ?? TimeSpan.FromSeconds(30);
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < bound, $"timed out after {bound.TotalSeconds:0}s waiting for {what}");
            await Task.Delay(5);
        }
    }

    protected static Task EventuallyAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        EventuallyAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>Awaits a task that must complete, with a bound that names what was awaited.</summary>
    protected static async Task<T> Within<T>(Task<T> task, string what, TimeSpan? timeout = null)
    {
        try
        {
            return await task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"timed out waiting for {what}");
        }
    }

    protected static async Task Within(Task task, string what, TimeSpan? timeout = null)
    {
        try
        {
            await task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"timed out waiting for {what}");
        }
    }

    protected static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    protected static string Text(ReadOnlySpan<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes);
}

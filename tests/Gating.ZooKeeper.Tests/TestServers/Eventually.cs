using System.Diagnostics;

namespace Gating.ZooKeeper.Tests.TestServers;

/// <summary>Waits for a condition the test can see, with a generous bound; never sleeps to "settle".</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var bound = timeout ?? TimeSpan.FromSeconds(30);
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < bound, $"timed out after {bound.TotalSeconds:0}s waiting for {what}");
            await Task.Delay(10);
        }
    }
}

/// <summary>Collects watch events into a channel-like queue that a test awaits.</summary>
public sealed class EventRecorder
{
    private readonly System.Threading.Channels.Channel<WatchedEvent> _events = System.Threading.Channels.Channel.CreateUnbounded<WatchedEvent>();

    public Watcher Watcher => e => _events.Writer.TryWrite(e);

    public async Task<WatchedEvent> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        return await _events.Reader.ReadAsync(cts.Token);
    }

    public bool TryNext(out WatchedEvent? e)
    {
        var ok = _events.Reader.TryRead(out var value);
        e = value;
        return ok;
    }
}

using Gating.Nodepool.Launcher;
using Microsoft.Extensions.Time.Testing;

namespace Gating.Nodepool.Tests.Launcher;

public sealed class WakeSignalTests
{
    [Fact]
    public async Task A_set_before_the_wait_is_kept_and_many_sets_make_one_wake()
    {
        var wake = new WakeSignal();
        var time = new FakeTimeProvider();
        wake.Set();
        wake.Set();
        Assert.True(await wake.WaitAsync(TimeSpan.FromHours(1), time, default));
        Assert.True(await wake.WaitAsync(TimeSpan.FromHours(1), time, default)); // still set until reset

        wake.Reset();
        var waiting = wake.WaitAsync(TimeSpan.FromHours(1), time, default);
        Assert.False(waiting.IsCompleted);
        wake.Set();
        Assert.True(await waiting);
    }

    [Fact]
    public async Task Without_a_set_the_wait_ends_at_the_safety_net_on_the_injected_clock()
    {
        var wake = new WakeSignal();
        var time = new FakeTimeProvider();
        var waiting = wake.WaitAsync(TimeSpan.FromSeconds(10), time, default);
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await waiting);
    }
}

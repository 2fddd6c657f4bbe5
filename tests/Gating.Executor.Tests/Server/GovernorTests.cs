using Gating.Executor.Server;

namespace Gating.Executor.Tests.Server;

public sealed class GovernorTests
{
    private sealed class Stats(double? load, double? memory, int cpus = 2) : ISystemStats
    {
        public double? LoadAverage() => load;

        public double? AvailableMemoryPercent() => memory;

        public int ProcessorCount => cpus;
    }

    private static readonly GovernorLimits Limits = new() { MaxBuilds = 3, LoadMultiplier = 2.5, MinAvailableMemoryPercent = 5 };

    [Fact]
    public void Accepts_below_every_limit() => Assert.Null(new Governor(Limits, new Stats(1.0, 50)).WhyNot(2));

    [Fact]
    public void Stops_at_the_build_limit() => Assert.Contains("max 3", new Governor(Limits, new Stats(0, 90)).WhyNot(3), StringComparison.Ordinal);

    [Fact]
    public void Stops_above_the_load_limit() => Assert.Contains("load average 5.10", new Governor(Limits, new Stats(5.1, 90)).WhyNot(0), StringComparison.Ordinal);

    [Fact]
    public void Stops_when_memory_is_short() => Assert.Contains("memory 4.0%", new Governor(Limits, new Stats(0, 4)).WhyNot(0), StringComparison.Ordinal);

    [Fact]
    public void Disabled_or_unknown_sensors_do_not_stop_it()
    {
        Assert.Null(new Governor(Limits with { LoadMultiplier = null, MinAvailableMemoryPercent = null }, new Stats(100, 0)).WhyNot(0));
        Assert.Null(new Governor(Limits, new Stats(null, null)).WhyNot(0));
    }

    [Fact]
    public void Reads_this_machine() =>
        Assert.InRange(new ProcSystemStats().AvailableMemoryPercent() ?? -1, 0.0, 100.0);
}

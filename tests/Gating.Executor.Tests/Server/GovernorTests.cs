using Gating.Executor.Server;

namespace Gating.Executor.Tests.Server;

public sealed class GovernorTests
{
    private sealed class Stats(double? load, double? memory, int cpus = 2, double? disk = null) : ISystemStats
    {
        public List<string> DiskPaths { get; } = [];

        public double? LoadAverage() => load;

        public double? AvailableMemoryPercent() => memory;

        public int ProcessorCount => cpus;

        public double? AvailableDiskPercent(string path)
        {
            DiskPaths.Add(path);
            return disk;
        }
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
    public void Stops_when_the_build_roots_disk_is_short()
    {
        var stats = new Stats(0, 90, disk: 3.5);
        var why = new Governor(Limits with { MinAvailableDiskPercent = 5 }, stats, "/var/lib/builds").WhyNot(0);
        Assert.Contains("disk 3.5% of /var/lib/builds below 5%", why, StringComparison.Ordinal);
        Assert.Equal(["/var/lib/builds"], stats.DiskPaths);
        Assert.Null(new Governor(Limits with { MinAvailableDiskPercent = 5 }, new Stats(0, 90, disk: 6), "/var/lib/builds").WhyNot(0));
    }

    [Fact]
    public void The_disk_sensor_is_off_when_disabled_unknown_or_without_a_build_root()
    {
        Assert.Null(new Governor(Limits with { MinAvailableDiskPercent = null }, new Stats(0, 90, disk: 0), "/b").WhyNot(0));
        Assert.Null(new Governor(Limits with { MinAvailableDiskPercent = 5 }, new Stats(0, 90, disk: null), "/b").WhyNot(0));
        Assert.Null(new Governor(Limits with { MinAvailableDiskPercent = 5 }, new Stats(0, 90, disk: 0)).WhyNot(0));
    }

    [Fact]
    public void Reads_this_machine()
    {
        Assert.InRange(new ProcSystemStats().AvailableMemoryPercent() ?? -1, 0.0, 100.0);
        // A build root that does not exist yet is measured on the file system that will hold it.
        var missing = Path.Combine(Path.GetTempPath(), "gating-no-such-dir-" + Guid.NewGuid().ToString("N"), "builds");
        Assert.InRange(new ProcSystemStats().AvailableDiskPercent(missing) ?? -1, 0.0, 100.0);
    }
}

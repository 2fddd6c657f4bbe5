namespace Gating.Executor.Server;

/// <summary>How an executor server takes work from ZooKeeper (zuul.md 4.1 and 4.6).</summary>
public sealed record ExecutorServerOptions
{
    /// <summary>This executor's host name, reported as the request's <c>worker_info</c>.</summary>
    public required string Hostname { get; init; }

    /// <summary>The executor zone; null serves only the unzoned queue.</summary>
    public string? Zone { get; init; }

    /// <summary>A zoned executor also takes unzoned builds (Zuul's <c>allow_unzoned</c>).</summary>
    public bool AllowUnzoned { get; init; }

    /// <summary>Also take merger requests (Zuul's <c>merge_jobs</c>).</summary>
    public bool MergeJobs { get; init; } = true;

    /// <summary>Merger requests run at the same time at most.</summary>
    public int MaxMerges { get; init; } = 2;

    /// <summary>The governor's limits.</summary>
    public GovernorLimits Governor { get; init; } = new();

    /// <summary>How often the server looks again without a ZooKeeper event: governor sensors, orphaned requests.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// When the executor stops accepting builds (Zuul's governor sensors): too many builds, load average above
/// <see cref="LoadMultiplier"/> x CPUs, less than <see cref="MinAvailableMemoryPercent"/> of memory or
/// <see cref="MinAvailableDiskPercent"/> of the build root's disk available.
/// </summary>
public sealed record GovernorLimits
{
    /// <summary>Builds running at the same time at most.</summary>
    public int MaxBuilds { get; init; } = Math.Max(1, Environment.ProcessorCount * 2);

    /// <summary>The 1-minute load average may reach this many times the CPU count; null disables the sensor.</summary>
    public double? LoadMultiplier { get; init; } = 2.5;

    /// <summary>Available memory (MemAvailable) must stay above this percentage of the total; null disables the sensor.</summary>
    public double? MinAvailableMemoryPercent { get; init; } = 5.0;

    /// <summary>
    /// Free space of the build root's file system must stay above this percentage of it (Zuul's <c>min_avail_hdd</c>);
    /// null disables the sensor.
    /// </summary>
    public double? MinAvailableDiskPercent { get; init; } = 5.0;
}

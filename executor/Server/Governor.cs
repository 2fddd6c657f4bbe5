using System.Globalization;

namespace Gating.Executor.Server;

/// <summary>What the governor reads from the machine.</summary>
public interface ISystemStats
{
    /// <summary>The 1-minute load average, or null when unknown.</summary>
    double? LoadAverage();

    /// <summary>Available memory as a percentage of the total, or null when unknown.</summary>
    double? AvailableMemoryPercent();

    /// <summary>The number of CPUs.</summary>
    int ProcessorCount { get; }

    /// <summary>Free space of the file system holding <paramref name="path"/> as a percentage of its size, or null when unknown.</summary>
    double? AvailableDiskPercent(string path) => null;
}

/// <summary>Reads <c>/proc/loadavg</c> and <c>/proc/meminfo</c>.</summary>
public sealed class ProcSystemStats : ISystemStats
{
    /// <inheritdoc />
    public int ProcessorCount => Environment.ProcessorCount;

    /// <inheritdoc />
    public double? LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ', 2)[0];
            return double.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public double? AvailableDiskPercent(string path)
    {
        try
        {
            // On Unix DriveInfo takes any path and asks statvfs about the file system holding it; the build root may
            // not exist before the first build, so its nearest existing ancestor stands for it.
            var existing = Path.GetFullPath(path);
            while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
            {
                existing = parent;
            }
            var drive = new DriveInfo(existing);
            return drive.TotalSize > 0 ? 100.0 * drive.AvailableFreeSpace / drive.TotalSize : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public double? AvailableMemoryPercent()
    {
        try
        {
            long? total = null, available = null;
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 2)
                {
                    continue;
                }
                if (parts[0] == "MemTotal:")
                {
                    total = long.Parse(parts[1], CultureInfo.InvariantCulture);
                }
                else if (parts[0] == "MemAvailable:")
                {
                    available = long.Parse(parts[1], CultureInfo.InvariantCulture);
                }
            }
            return total is > 0 && available is { } a ? 100.0 * a / total.Value : null;
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>
/// Decides whether the executor takes another build (zuul.md 4.6): every sensor must be OK. A pure function of the
/// limits, the running count and the machine's numbers, so it is tested without a machine under load.
/// </summary>
public sealed class Governor
{
    private readonly GovernorLimits _limits;
    private readonly ISystemStats _stats;
    private readonly string? _buildRoot;

    /// <summary>Creates a governor; the disk sensor watches the file system of <paramref name="buildRoot"/> (none when null).</summary>
    public Governor(GovernorLimits limits, ISystemStats stats, string? buildRoot = null)
    {
        _limits = limits;
        _stats = stats;
        _buildRoot = buildRoot;
    }

    /// <summary>Null when a new build may start; otherwise why not.</summary>
    public string? WhyNot(int runningBuilds)
    {
        if (runningBuilds >= _limits.MaxBuilds)
        {
            return $"{runningBuilds} builds running (max {_limits.MaxBuilds})";
        }
        if (_limits.LoadMultiplier is { } multiplier && _stats.LoadAverage() is { } load && load > multiplier * _stats.ProcessorCount)
        {
            return string.Create(CultureInfo.InvariantCulture, $"load average {load:F2} above {multiplier} x {_stats.ProcessorCount} CPUs");
        }
        if (_limits.MinAvailableMemoryPercent is { } minimum && _stats.AvailableMemoryPercent() is { } available && available < minimum)
        {
            return string.Create(CultureInfo.InvariantCulture, $"available memory {available:F1}% below {minimum}%");
        }
        if (_limits.MinAvailableDiskPercent is { } minDisk && _buildRoot is not null && _stats.AvailableDiskPercent(_buildRoot) is { } disk && disk < minDisk)
        {
            return string.Create(CultureInfo.InvariantCulture, $"available disk {disk:F1}% of {_buildRoot} below {minDisk}%");
        }
        return null;
    }
}

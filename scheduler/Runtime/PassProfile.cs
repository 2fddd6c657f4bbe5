using System.Collections.Concurrent;
using System.Diagnostics;

namespace Gating.Scheduler.Runtime;

/// <summary>
/// Where a scheduler's time goes, by phase of its rounds (cumulative wall time and counts; Stopwatch time, not the
/// injected clock, because it measures this process's own work). Read by benchmarks; cheap enough to stay on.
/// </summary>
public sealed class PassProfile
{
    private readonly ConcurrentDictionary<string, (long Ticks, long Count)> _phases = new(StringComparer.Ordinal);

    /// <summary>A timestamp to pass to <see cref="Add"/>.</summary>
    public static long Start() => Stopwatch.GetTimestamp();

    /// <summary>Adds the time since <paramref name="start"/> to <paramref name="phase"/>; returns a new start.</summary>
    public long Add(string phase, long start)
    {
        var now = Stopwatch.GetTimestamp();
        _phases.AddOrUpdate(phase, (now - start, 1), (_, old) => (old.Ticks + now - start, old.Count + 1));
        return now;
    }

    /// <summary>Adds <paramref name="time"/> (measured elsewhere) to <paramref name="phase"/>.</summary>
    public void Add(string phase, TimeSpan time)
    {
        var ticks = (long)(time.TotalSeconds * Stopwatch.Frequency);
        _phases.AddOrUpdate(phase, (ticks, 1), (_, old) => (old.Ticks + ticks, old.Count + 1));
    }

    /// <summary>Adds <paramref name="amount"/> to the counter <paramref name="name"/> (shown with zero time).</summary>
    public void Count(string name, long amount) =>
        _phases.AddOrUpdate(name, (0, amount), (_, old) => (old.Ticks, old.Count + amount));

    /// <summary>The phases so far: total time and how many times each ran.</summary>
    public IReadOnlyDictionary<string, (TimeSpan Total, long Count)> Snapshot() =>
        _phases.ToDictionary(p => p.Key, p => (Stopwatch.GetElapsedTime(0, p.Value.Ticks), p.Value.Count), StringComparer.Ordinal);

    /// <summary>Forgets everything measured so far.</summary>
    public void Reset() => _phases.Clear();
}

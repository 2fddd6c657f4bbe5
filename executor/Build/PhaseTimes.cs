using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Gating.Executor.Build;

/// <summary>How long one step of a build took on the executor.</summary>
/// <param name="Name">The step (<c>workspace</c>, <c>playbooks</c>, <c>run playbooks/run.yaml</c>...).</param>
/// <param name="Duration">Its wall-clock duration.</param>
public sealed record BuildPhaseTime(string Name, TimeSpan Duration);

/// <summary>
/// Times the steps of one build, cheaply (a timestamp per step), so that where a build's time goes on the executor
/// is visible in every build: written to <c>zuul-info/phases.txt</c> in its logs and readable by benchmarks.
/// </summary>
internal sealed class PhaseTimes
{
    private readonly TimeProvider _time;
    private readonly ImmutableArray<BuildPhaseTime>.Builder _phases = ImmutableArray.CreateBuilder<BuildPhaseTime>();
    private long _mark;

    public PhaseTimes(TimeProvider time)
    {
        _time = time;
        _mark = time.GetTimestamp();
    }

    /// <summary>Ends the current step as <paramref name="name"/> and starts the next one.</summary>
    public void Lap(string name)
    {
        var now = _time.GetTimestamp();
        _phases.Add(new BuildPhaseTime(name, _time.GetElapsedTime(_mark, now)));
        _mark = now;
    }

    public ImmutableArray<BuildPhaseTime> ToImmutable() => _phases.ToImmutable();

    /// <summary>One "name seconds" line per step.</summary>
    public static string Format(IEnumerable<BuildPhaseTime> phases)
    {
        var text = new StringBuilder();
        foreach (var phase in phases)
        {
            text.Append(CultureInfo.InvariantCulture, $"{phase.Duration.TotalSeconds:F3} {phase.Name}\n");
        }
        return text.ToString();
    }
}

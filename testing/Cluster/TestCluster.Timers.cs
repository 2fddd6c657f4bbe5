using Cronos;
using Gating.Scheduler.Sources;

namespace Gating.Testing.Cluster;

public sealed partial class TestCluster
{
    /// <summary>
    /// The timer driver of the test kit: each pipeline whose timer trigger came due in (from, to] gets one timer
    /// event (several due times in one advance collapse into one, as a busy Zuul would).
    /// </summary>
    private async Task FireTimersAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        foreach (var name in Primary.Tenant.PipelineNames)
        {
            var info = Primary.Tenant.Pipeline(name)!;
            foreach (var spec in TriggerParser.TimerSpecs(info.Config))
            {
                var next = Parse(spec).GetNextOccurrence(from, TimeZoneInfo.Utc);
                if (next is { } due && due <= to)
                {
                    await Scheduler.Runtime.Scheduler.PutConnectionEventAsync(_session,
                        new ConnectionEvent(ConnectionEventTypes.Timer, Scheduler.Runtime.Scheduler.TimerConnection, "", Pipeline: name, Id: $"timer-{name}-{due.ToUnixTimeSeconds()}"), cancellationToken);
                    break;
                }
            }
        }
    }

    // Zuul's timer specs are cron lines with an optional sixth field of seconds at the end; Cronos wants seconds first.
    private static CronExpression Parse(string spec)
    {
        var fields = spec.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length == 6
            ? CronExpression.Parse(string.Join(' ', [fields[5], .. fields[..5]]), CronFormat.IncludeSeconds)
            : CronExpression.Parse(spec);
    }
}

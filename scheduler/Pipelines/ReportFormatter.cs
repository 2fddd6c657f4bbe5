using System.Globalization;
using System.Text;
using Gating.Model;

namespace Gating.Scheduler.Pipelines;

/// <summary>The job lines of a report (reference §3.6).</summary>
public static class ReportFormatter
{
    /// <summary>
    /// One line per job: <c>- job url-or-name : RESULT[ error][ in 1m 02s][ (non-voting)]</c>; jobs skipped by
    /// <c>child_jobs</c> are counted in a final <c>Skipped N jobs</c> line. With <paramref name="change"/>, only
    /// the jobs that ran for that change of a cycle item.
    /// </summary>
    public static string Jobs(BuildSet bs, ChangeKey? change = null)
    {
        var sb = new StringBuilder();
        var skipped = 0;
        foreach (var (key, job) in bs.JobGraph?.Keyed() ?? [])
        {
            if (change is { } only && !bs.JobGraph!.RunsFor(key, only))
            {
                continue;
            }
            var build = bs.BuildOf(key);
            if (build?.Result == BuildResults.Skipped && build.ErrorDetail?.StartsWith("Skipped due to child_jobs", StringComparison.Ordinal) == true)
            {
                skipped++;
                continue;
            }
            var result = build?.Result switch
            {
                BuildResults.Success => job.SuccessMessage,
                BuildResults.Failure => job.FailureMessage,
                null => "SKIPPED",
                var other => other,
            };
            var url = build?.Url ?? job.Name;
            var error = build?.ErrorDetail is { Length: > 0 } detail ? " " + detail : "";
            var elapsed = build is { StartTime: { } start, EndTime: { } end } ? " in " + Duration(end - start) : "";
            var voting = job.Voting ? "" : " (non-voting)";
            sb.Append(CultureInfo.InvariantCulture, $"- {job.Name} {url} : {result}{error}{elapsed}{voting}\n");
        }
        if (skipped > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"Skipped {skipped} {(skipped == 1 ? "job" : "jobs")}\n");
        }
        return sb.ToString();
    }

    /// <summary><c>1h 02m 03s</c>, <c>4m 05s</c> or <c>6s</c>.</summary>
    public static string Duration(TimeSpan elapsed)
    {
        var total = (long)Math.Max(0, elapsed.TotalSeconds);
        var (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
        return h > 0 ? $"{h}h {m:00}m {s:00}s" : m > 0 ? $"{m}m {s:00}s" : $"{s}s";
    }
}

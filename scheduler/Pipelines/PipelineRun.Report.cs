using System.Collections.Immutable;
using Gating.Model;

namespace Gating.Scheduler.Pipelines;

internal sealed partial class PipelineRun
{
    /// <summary>Zuul's <c>reportItem</c> (reference §3.6): decide the result, report, then dequeue (or submit first).</summary>
    private void ReportItem(QueueItem item)
    {
        var bs = item.BuildSet;
        var (kind, reporters, result) = Decide(item);
        if (_disabled)
        {
            reporters = "disabled";
        }
        var header = kind switch
        {
            ReportKind.NoJobs => Format(_s.NoJobsMessage, item),
            ReportKind.ConfigError => bs.ConfigErrors.IsEmpty ? "Unknown configuration error" : bs.ConfigErrors[0],
            ReportKind.MergeConflict => Format(_s.MergeConflictMessage, item),
            ReportKind.Success => SuccessHeader(item),
            _ => FailureHeader(item),
        };
        var withJobs = kind is ReportKind.Success or ReportKind.Failure && bs.JobGraph is { Jobs.Length: > 0 };
        if (_s.ReporterActions.Contains(reporters))
        {
            // A cycle item reports on each change with that change's jobs (reference 3.7); the result is the item's.
            foreach (var (changes, jobs) in ReportsPerChange(item))
            {
                var message = header;
                if (withJobs)
                {
                    message += "\n\n" + jobs;
                }
                if (!bs.Warnings.IsEmpty)
                {
                    message += "\nWarning:\n  " + string.Join("\n  ", bs.Warnings) + "\n";
                }
                message += Footer();
                Emit(new Report(kind, reporters, item.Id, changes, message, result));
            }
        }

        var queue = QueueOf(item);
        var success = result == BuildResults.Success;
        if (Dependent && !success)
        {
            // Zuul's MergeFailure path: anything still tested on top of this item (it failed at the head in the
            // same pass it finished) starts over without it.
            foreach (var behind in ItemsBehind(item))
            {
                CancelJobs(behind, reset: true);
            }
        }
        if (kind == ReportKind.NoJobs && bs.ProjectNotInPipeline)
        {
            Dequeue(_items[item.Id], result);
            return;
        }
        CountResult(success);
        if (Dependent && success)
        {
            // The submit is an action whose outcome comes back as an event; until then items behind wait on this one.
            Emit(new Submit(item.Id, item.Changes));
            Put(item with { Phase = ItemPhase.Submitting });
            return;
        }
        if (Dependent && !success)
        {
            queue.Meta = queue.Meta with { Window = WindowMath.Decrease(queue.Meta.Window, queue.Meta.WindowSettings) };
        }
        Dequeue(_items[item.Id], result);
    }

    private (ReportKind Kind, string Reporters, string Result) Decide(QueueItem item)
    {
        var bs = item.BuildSet;
        string Fallback(string action) => _s.ReporterActions.Contains(action) ? action : "failure";
        if (bs.ProjectNotInPipeline)
        {
            return (ReportKind.NoJobs, "no-jobs", BuildResults.NoJobs);
        }
        if (!bs.ConfigErrors.IsEmpty)
        {
            return (ReportKind.ConfigError, Fallback("config-error"), BuildResults.ConfigError);
        }
        if (bs.UnableToMerge)
        {
            return (ReportKind.MergeConflict, Fallback("merge-conflict"), BuildResults.MergeConflict);
        }
        if (item.DequeuedNeedingChange is not null || item.DequeuedMissingRequirements)
        {
            return (ReportKind.Failure, "failure", BuildResults.Failure);
        }
        if (bs.JobGraph is null || bs.JobGraph.Jobs.IsEmpty)
        {
            return (ReportKind.NoJobs, "no-jobs", BuildResults.NoJobs);
        }
        return DidAllJobsSucceed(bs)
            ? (ReportKind.Success, "success", BuildResults.Success)
            : (ReportKind.Failure, "failure", BuildResults.Failure);
    }

    /// <summary>
    /// The reports an item's result goes out as, each with the job lines it lists: one for all its changes, or, for
    /// a cycle item whose job graph was frozen per change, one per change listing the jobs that ran for it.
    /// </summary>
    private static IEnumerable<(ImmutableArray<Change> Changes, string Jobs)> ReportsPerChange(QueueItem item)
    {
        if (item.Changes.Length == 1 || item.BuildSet.JobGraph is not { Nodes.IsDefaultOrEmpty: false })
        {
            yield return (item.Changes, ReportFormatter.Jobs(item.BuildSet));
            yield break;
        }
        foreach (var change in item.Changes)
        {
            yield return ([change], ReportFormatter.Jobs(item.BuildSet, change.Key));
        }
    }

    /// <summary>Every voting job succeeded or was skipped, and not every job was skipped.</summary>
    private static bool DidAllJobsSucceed(BuildSet bs)
    {
        var allSkipped = true;
        foreach (var (key, job) in bs.JobGraph!.Keyed())
        {
            var build = bs.Builds[key];
            if (build.Result != BuildResults.Skipped)
            {
                allSkipped = false;
            }
            if (job.Voting && build.Result is not (BuildResults.Success or BuildResults.Skipped))
            {
                return false;
            }
        }
        return !allSkipped;
    }

    private string SuccessHeader(QueueItem item) => Format(_s.SuccessMessage, item) + ItemUrlLine(item);

    private string FailureHeader(QueueItem item)
    {
        var changeText = item.Changes.Length > 1 ? "These changes" : "This change";
        string msg;
        if (item.DequeuedNeedingChange is { } needing)
        {
            msg = $"{changeText} depends on a change that failed to merge.\n\n{needing}\n";
        }
        else if (item.DequeuedMissingRequirements)
        {
            msg = $"{changeText} is unable to merge due to a missing merge requirement.\n";
        }
        else if (item.Changes.Length > 1)
        {
            msg = $"{changeText} are part of a dependency cycle that failed.\n\n{Format(_s.FailureMessage, item)}";
        }
        else
        {
            msg = Format(_s.FailureMessage, item);
        }
        return msg + ItemUrlLine(item);
    }

    private string ItemUrlLine(QueueItem item) => ItemUrl(item) is { } url ? "\n" + url : "";

    private string? ItemUrl(QueueItem item) => _s.WebRoot is null ? null : $"{_s.WebRoot.TrimEnd('/')}/buildset/{item.BuildSet.Id}";

    private string Format(string template, QueueItem item) =>
        template.Replace("{pipeline.name}", _s.Name, StringComparison.Ordinal)
            .Replace("{item_url}", ItemUrl(item) ?? "", StringComparison.Ordinal)
            .Replace("{status_url}", ItemUrl(item) ?? "", StringComparison.Ordinal);

    private string Footer() => _s.FooterMessage is { Length: > 0 } footer ? "\n" + footer : "";

    private void EmitReport(ReportKind kind, string reporters, QueueItem item, string message, string? result) =>
        Emit(new Report(kind, reporters, item.Id, item.Changes, message, result));

    /// <summary><c>disable-after-consecutive-failures</c> bookkeeping.</summary>
    private void CountResult(bool success)
    {
        if (success)
        {
            _consecutiveFailures = 0;
            return;
        }
        _consecutiveFailures++;
        if (_s.DisableAfterConsecutiveFailures is { } limit && _consecutiveFailures >= limit)
        {
            _disabled = true;
        }
    }
}

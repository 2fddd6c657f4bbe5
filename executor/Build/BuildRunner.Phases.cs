using System.Collections.Immutable;
using Gating.Model;

namespace Gating.Executor.Build;

public sealed partial class BuildRunner
{
    /// <summary>pre-run, run, (pause,) post-run, with Zuul's result rules (zuul.md 3.12 and 4.2 step 8).</summary>
    private async Task<BuildResult> RunPhasesAsync(
        BuildParameters parameters, BuildDirectory dir, ImmutableArray<PreparedPlaybook> playbooks, InventoryWriter.VarsFiles vars,
        IBuildEventSink events, BuildResult result, PhaseTimes times, CancellationToken cancellationToken)
    {
        var failures = ImmutableArray.CreateBuilder<BuildTaskFailure>();
        var started = _time.GetUtcNow();
        TimeSpan? Remaining(TimeSpan? limit) => limit is { } l ? l - (_time.GetUtcNow() - started) : null;
        TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : (a < b ? a : b);

        BuildOutcome? outcome = null;
        var unreachable = false;
        string? detail = null;
        int? failedPreLevel = null;
        foreach (var playbook in playbooks.Where(p => p.Phase == PlaybookPhase.Pre))
        {
            var run = await RunOneAsync(dir, playbook, vars, null, Min(Remaining(parameters.Timeout), Remaining(parameters.PreTimeout)), times, cancellationToken).ConfigureAwait(false);
            failures.AddRange(run.Failures);
            if (run.Status == PlaybookStatus.TimedOut)
            {
                (outcome, failedPreLevel) = (BuildOutcome.TimedOut, playbook.Playbook.NestingLevel);
                break;
            }
            if (!run.Succeeded)
            {
                // Pre-run playbooks should not fail: the node or the environment is to blame, so the build is retried.
                (outcome, failedPreLevel, unreachable) = (BuildOutcome.Retry, playbook.Playbook.NestingLevel, run.Unreachable);
                detail = $"Pre-run playbook {playbook.DisplayName} failed{(run.Unreachable ? " (unreachable host)" : "")}";
                break;
            }
        }
        if (outcome is null)
        {
            foreach (var playbook in playbooks.Where(p => p.Phase == PlaybookPhase.Run))
            {
                var run = await RunOneAsync(dir, playbook, vars, null, Remaining(parameters.Timeout), times, cancellationToken).ConfigureAwait(false);
                failures.AddRange(run.Failures);
                if (run.Status == PlaybookStatus.TimedOut)
                {
                    outcome = BuildOutcome.TimedOut;
                    break;
                }
                if (!run.Succeeded)
                {
                    (outcome, unreachable) = run.Unreachable ? (BuildOutcome.Retry, true) : (BuildOutcome.Failure, false);
                    detail = run.Unreachable ? $"A host was unreachable in {playbook.DisplayName}" : null;
                    break;
                }
            }
            outcome ??= BuildOutcome.Success;
        }
        var returned = ResultsFile.Read(dir.ResultsFile);
        if (outcome == BuildOutcome.Success && returned.Pause)
        {
            await events.PausedAsync(new ExecutorBuildPaused(parameters.BuildId, returned.Data, returned.SecretData), cancellationToken).ConfigureAwait(false);
            times.Lap("paused");
        }
        if (outcome == BuildOutcome.Retry && !returned.RetryAllowed)
        {
            outcome = BuildOutcome.Failure;
        }
        var phaseVars = new Dictionary<string, string>
        {
            ["zuul_success"] = outcome == BuildOutcome.Success ? "True" : "False",
            ["zuul_will_retry"] = outcome == BuildOutcome.Retry ? "True" : "False",
        };
        foreach (var playbook in playbooks.Where(p => p.Phase == PlaybookPhase.Post))
        {
            if (failedPreLevel is { } level && playbook.Playbook.NestingLevel > level)
            {
                continue; // its pre-run never ran
            }
            var run = await RunOneAsync(dir, playbook, vars, phaseVars, parameters.PostTimeout ?? _options.DefaultPostTimeout, times, cancellationToken).ConfigureAwait(false);
            failures.AddRange(run.Failures);
            if (!run.Succeeded && failedPreLevel is null)
            {
                outcome = BuildOutcome.PostFailure;
                detail ??= run.Status == PlaybookStatus.TimedOut ? $"Post-run playbook {playbook.DisplayName} timed out" : null;
            }
        }
        returned = ResultsFile.Read(dir.ResultsFile);
        if (outcome == BuildOutcome.Retry && !returned.RetryAllowed)
        {
            outcome = BuildOutcome.Failure;
        }
        return result with
        {
            Outcome = outcome.Value,
            ErrorDetail = detail,
            Unreachable = unreachable,
            FailedTasks = failures.ToImmutable(),
            Data = returned.Data,
            SecretData = returned.SecretData,
            LogUrl = returned.LogUrl,
            Artifacts = returned.Artifacts,
            ChildJobs = returned.ChildJobs,
            RetryAllowed = returned.RetryAllowed,
            Warnings = returned.Warnings,
        };
    }

    private async Task<PlaybookRun> RunOneAsync(
        BuildDirectory dir, PreparedPlaybook playbook, InventoryWriter.VarsFiles vars, IReadOnlyDictionary<string, string>? phaseVars,
        TimeSpan? timeout, PhaseTimes times, CancellationToken cancellationToken)
    {
        var run = await _ansible.RunAsync(dir, playbook, vars, phaseVars, timeout, cancellationToken).ConfigureAwait(false);
        times.Lap(playbook.Phase.ToString().ToLowerInvariant() + " " + playbook.DisplayName);
        if (run.Status == PlaybookStatus.Aborted)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        return run;
    }
}

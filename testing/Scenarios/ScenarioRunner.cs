using System.Collections.Immutable;

namespace Gating.Testing.Scenarios;

/// <summary>
/// Runs a parsed <see cref="Scenario"/> against a cluster: start it from the scenario's setup, create the
/// changes, then carry out each step in order; an <c>expect</c> step settles (unless told not to) and checks its
/// expectations. The run stops at the first <c>expect</c> step with a failure, or at a step that throws.
/// </summary>
public sealed class ScenarioRunner
{
    private readonly IScenarioClusterFactory _factory;
    private readonly TimeSpan _timeout;

    /// <summary>Creates a runner on <paramref name="factory"/>.</summary>
    /// <param name="factory">Starts one cluster per scenario.</param>
    /// <param name="timeout">Guard for one whole scenario (a settle that never ends is a failure, not a hang).</param>
    public ScenarioRunner(IScenarioClusterFactory factory, TimeSpan? timeout = null)
    {
        _factory = factory;
        _timeout = timeout ?? TimeSpan.FromMinutes(3);
    }

    /// <summary>Runs one scenario.</summary>
    public async Task<ScenarioResult> RunAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        guard.CancelAfter(_timeout);
        var ct = guard.Token;
        var names = new ScenarioNames();
        IScenarioCluster cluster;
        try
        {
            cluster = await _factory.StartAsync(scenario.Setup, ct);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new ScenarioResult(scenario, [new ScenarioFailure(Gating.Config.Yaml.SourceLocation.OfFile(scenario.File), "setup",
                "the cluster did not start: " + e.Message)], 0, "");
        }
        await using (cluster)
        {
            var run = new Run(scenario, cluster, names);
            try
            {
                await run.CreateChangesAsync(ct);
                foreach (var step in scenario.Steps)
                {
                    if (!await run.StepAsync(step, ct))
                    {
                        break;
                    }
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                string why = e is OperationCanceledException && !cancellationToken.IsCancellationRequested
                    ? $"the scenario did not finish within {_timeout.TotalSeconds:0} s (a settle that never ends?)"
                    : e.GetType().Name + ": " + e.Message;
                run.Failures.Add(new ScenarioFailure(run.CurrentAt, run.CurrentWhat, why));
            }
            string state = run.Failures.Count == 0 ? "" : ScenarioStateDump.Describe(scenario, cluster, names);
            return new ScenarioResult(scenario, [.. run.Failures], run.Checked, state);
        }
    }

    /// <summary>The state of one run.</summary>
    private sealed class Run(Scenario scenario, IScenarioCluster cluster, ScenarioNames names)
    {
        public List<ScenarioFailure> Failures { get; } = [];

        public int Checked { get; private set; }

        /// <summary>Where the step (or change declaration) being carried out is written.</summary>
        public Gating.Config.Yaml.SourceLocation CurrentAt { get; private set; } = Gating.Config.Yaml.SourceLocation.OfFile(scenario.File);

        public string CurrentWhat { get; private set; } = "setup";

        public async Task CreateChangesAsync(CancellationToken ct)
        {
            // Numbers are known in advance (1, 2, ... in declaration order), so Depends-On may point forward.
            for (int i = 0; i < scenario.Changes.Length; i++)
            {
                names.Predict(scenario.Changes[i].Name, i + 1);
            }
            foreach (var spec in scenario.Changes)
            {
                await CreateAsync(spec, ct);
            }
        }

        private async Task CreateAsync(ChangeSpec spec, CancellationToken ct)
        {
            (CurrentAt, CurrentWhat) = (spec.At, "change " + spec.Name);
            var change = spec.Change with
            {
                Parent = spec.Parent is null ? null : names.Number(spec.Parent),
                DependsOn = [.. spec.DependsOn.Select(names.Number)],
            };
            int number = await cluster.CreateChangeAsync(change, ct);
            names.Created(spec.Name, number);
        }

        /// <summary>Carries out a step; false when the run must stop (a failed expectation).</summary>
        public async Task<bool> StepAsync(ScenarioStep step, CancellationToken ct)
        {
            (CurrentAt, CurrentWhat) = (step.At, step.Keyword);
            switch (step)
            {
                case CompoundStep compound:
                    foreach (var inner in compound.Steps)
                    {
                        await StepAsync(inner, ct);
                    }
                    break;
                case UploadStep s:
                    await cluster.SendPatchsetCreatedAsync(names.Number(s.Change), ct);
                    break;
                case NewPatchsetStep s:
                    await cluster.NewPatchsetAsync(names.Number(s.Change), s.Files, ct);
                    break;
                case ApproveStep s:
                    foreach (var vote in s.Votes)
                    {
                        await cluster.ApproveAsync(names.Number(s.Change), vote.Key, vote.Value, s.By, ct);
                    }
                    break;
                case CommentStep s:
                    await cluster.CommentAsync(names.Number(s.Change), s.Text, s.By, ct);
                    break;
                case ChangeEventStep { Kind: ChangeEventKind.Abandon } s:
                    await cluster.AbandonAsync(names.Number(s.Change), ct);
                    break;
                case ChangeEventStep { Kind: ChangeEventKind.Restore } s:
                    await cluster.RestoreAsync(names.Number(s.Change), ct);
                    break;
                case ChangeEventStep s:
                    await cluster.MergeExternallyAsync(names.Number(s.Change), ct);
                    break;
                case RefUpdateStep s:
                    await cluster.RefUpdateAsync(s.Project, s.Ref, s.Files, ct);
                    break;
                case AdvanceTimeStep s:
                    await cluster.AdvanceTimeAsync(s.By, ct);
                    break;
                case EnqueueStep { Change: { } change } s:
                    await cluster.EnqueueAsync(s.Pipeline, names.Number(change), ct);
                    break;
                case EnqueueStep s:
                    await cluster.EnqueueRefAsync(s.Pipeline, s.Project ?? "org/project", s.Ref ?? "refs/heads/master", ct);
                    break;
                case DequeueStep s:
                    await cluster.DequeueAsync(s.Pipeline, names.Number(s.Change), ct);
                    break;
                case PromoteStep s:
                    await cluster.PromoteAsync(s.Pipeline, [.. s.Changes.Select(names.Number)], ct);
                    break;
                case ReconfigureStep s:
                    await cluster.ReconfigureAsync(s.Files, ct);
                    break;
                case OutcomeStep s:
                    var selector = s.Selector with { Change = s.Change is null ? null : names.Number(s.Change) };
                    cluster.SetBuildOutcome(s.Rule with { Selector = selector });
                    break;
                case HoldStep { Release: false } s:
                    cluster.HoldBuilds(s.Selector with { Change = s.Change is null ? null : names.Number(s.Change) });
                    break;
                case HoldStep s:
                    await cluster.ReleaseBuildsAsync(s.Selector with { Change = s.Change is null ? null : names.Number(s.Change) }, ct);
                    break;
                case MergeConflictStep s:
                    cluster.SetMergeConflict(names.Number(s.Change), s.Conflict);
                    break;
                case NodeFailureStep s:
                    cluster.SetNodeFailure(s.Label, s.Fail);
                    break;
                case CreateStep s:
                    await CreateAsync(s.Spec, ct);
                    break;
                case SettleStep:
                    await cluster.SettleAsync(ct);
                    break;
                case ExpectStep s:
                    if (s.Settle)
                    {
                        await cluster.SettleAsync(ct);
                    }
                    var checker = new ScenarioChecker(cluster, names);
                    foreach (var expectation in s.Expectations)
                    {
                        Checked++;
                        if (checker.Check(expectation) is { } message)
                        {
                            Failures.Add(new ScenarioFailure(expectation.At, expectation.Keyword, message));
                        }
                    }
                    return Failures.Count == 0;
                default:
                    throw new InvalidOperationException($"step '{step.Keyword}' has no runner");
            }
            return true;
        }
    }
}

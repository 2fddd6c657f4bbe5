using System.Collections.Immutable;
using Gating.Config.Yaml;

namespace Gating.Testing.Scenarios;

/// <summary>One expectation (or step) that did not hold.</summary>
/// <param name="At">Where it is written.</param>
/// <param name="What">The expectation's keyword (or the step's, when a step itself failed).</param>
/// <param name="Message">What was expected and what was found.</param>
public sealed record ScenarioFailure(SourceLocation At, string What, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{At.File}:{At.Line}: {What}: {Message}";
}

/// <summary>How a scenario run ended.</summary>
/// <param name="Scenario">The scenario.</param>
/// <param name="Failures">Failed expectations of the first failing <c>expect</c> step (the run stops there), or the
/// step that threw; empty when everything held.</param>
/// <param name="ExpectationsChecked">Expectations that were checked (held or not).</param>
/// <param name="State">The cluster's state when the run stopped (history, running builds, queues, votes, merges,
/// reports), for the failure message; empty when the scenario passed.</param>
public sealed record ScenarioResult(Scenario Scenario, ImmutableArray<ScenarioFailure> Failures, int ExpectationsChecked, string State)
{
    /// <summary>True when every expectation held.</summary>
    public bool Passed => Failures.IsEmpty;

    /// <summary>The failures and the state, as printed by <c>gating scenario run</c>.</summary>
    public string Describe()
    {
        if (Passed)
        {
            return $"PASS {Scenario.File} ({ExpectationsChecked} expectations)";
        }
        var lines = new List<string> { $"FAIL {Scenario.File}: {Scenario.Name}" };
        lines.AddRange(Failures.Select(f => "  " + f.ToString().Replace("\n", "\n    ", StringComparison.Ordinal)));
        if (State.Length > 0)
        {
            lines.Add("  actual state:");
            lines.AddRange(State.Split('\n').Select(l => "    " + l));
        }
        return string.Join(Environment.NewLine, lines);
    }
}

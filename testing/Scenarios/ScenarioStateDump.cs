using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Gating.Testing.Scenarios;

/// <summary>Text for failure messages: the actual history, running builds, queues, votes, merges and reports.</summary>
public static class ScenarioStateDump
{
    private static readonly string[] StandardPipelines = ["check", "gate", "post", "periodic"];

    /// <summary>The whole state the scenario can see, with changes by name.</summary>
    public static string Describe(Scenario scenario, IScenarioCluster cluster, ScenarioNames names)
    {
        var sb = new StringBuilder();
        Section(sb, "history", () => Builds(cluster.History, names));
        Section(sb, "running", () => Builds(cluster.RunningBuilds, names));
        foreach (var pipeline in PipelinesOf(scenario))
        {
            Section(sb, "pipeline " + pipeline, () => Pipeline(cluster.GetPipeline(pipeline), names));
        }
        Section(sb, "merged", () => "  [" + string.Join(", ", cluster.MergedChanges.Select(names.Name)) + "]");
        foreach (var name in names.All)
        {
            int number = names.Number(name);
            Section(sb, $"change {name} (#{number})", () =>
                "  votes: " + Votes(cluster.GetVotes(number)) + "\n" + Reports(cluster.GetReports(number)));
        }
        return sb.ToString().TrimEnd();
    }

    private static void Section(StringBuilder sb, string title, Func<string> body)
    {
        string text;
        try
        {
            text = body();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            text = "  (unavailable: " + e.Message + ")";
        }
        sb.Append(title).Append(":\n").Append(text.Length == 0 ? "  (none)" : text).Append('\n');
    }

    private static IEnumerable<string> PipelinesOf(Scenario scenario)
    {
        var found = new List<string>(StandardPipelines);
        void Add(string p)
        {
            if (!found.Contains(p))
            {
                found.Add(p);
            }
        }
        foreach (var step in scenario.Steps)
        {
            switch (step)
            {
                case EnqueueStep s: Add(s.Pipeline); break;
                case DequeueStep s: Add(s.Pipeline); break;
                case PromoteStep s: Add(s.Pipeline); break;
                case ExpectStep s:
                    foreach (var q in s.Expectations.OfType<QueueExpectation>())
                    {
                        Add(q.Pipeline);
                    }
                    break;
            }
        }
        return found;
    }

    /// <summary>One line per build.</summary>
    public static string Builds(IEnumerable<BuildRecord> builds, ScenarioNames names) =>
        string.Join("\n", builds.Select(b =>
            $"  {b.Job} {(b.Change is { } c ? names.Name(c) + "," + b.Patchset : b.Ref ?? "-")} {b.Result ?? "(running)"}" +
            $" with [{string.Join(" ", b.TestedWith.Select(names.NameTestedWith))}] pipeline={b.Pipeline}" +
            (b.Attempt > 1 ? $" attempt={b.Attempt}" : "")));

    /// <summary>Queues and items.</summary>
    public static string Pipeline(PipelineSnapshot pipeline, ScenarioNames names) =>
        string.Join("\n", pipeline.Queues.Select(q =>
            $"  queue {q.Name} window={q.Window}: [" + string.Join(", ", q.Items.Select(i =>
                (i.Changes.IsEmpty ? i.Ref ?? "?" : string.Join("+", i.Changes.Select(names.Name))) +
                (i.Live ? "" : " non-live") + (i.Active ? "" : " inactive") + (i.Failing ? " failing" : ""))) + "]"));

    /// <summary>"Verified: 2, Code-Review: 0" or "none".</summary>
    public static string Votes(ImmutableDictionary<string, int> votes) =>
        votes.IsEmpty ? "none" : string.Join(", ", votes.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}: {v.Value}"));

    /// <summary>Each report, its pipeline and its text.</summary>
    public static string Reports(IEnumerable<ReportRecord> reports) =>
        string.Join("\n", reports.Select(r =>
            $"  [{r.Pipeline}] {Votes(r.Votes)}\n      " + r.Message.Replace("\n", "\n      ", StringComparison.Ordinal)));

    /// <summary>A build pattern in the short form.</summary>
    public static string Pattern(BuildPattern p)
    {
        var parts = new List<string> { p.Job ?? "*" };
        if (p.Change is not null) parts.Add(p.Change + (p.Patchset is null ? "" : "," + p.Patchset));
        if (p.Result is not null) parts.Add(p.Result);
        if (p.Pipeline is not null) parts.Add("pipeline=" + p.Pipeline);
        if (p.Ref is not null) parts.Add("ref=" + p.Ref);
        if (p.Attempt is not null) parts.Add("attempt=" + p.Attempt.Value.ToString(CultureInfo.InvariantCulture));
        if (p.With is { } with) parts.Add("with " + string.Join(" ", with));
        return string.Join(" ", parts);
    }

    /// <summary>An item pattern in the short form.</summary>
    public static string Pattern(ItemPattern p) =>
        (p.Ref ?? string.Join("+", p.Changes)) +
        (p.Live is { } l ? (l ? " live" : " non-live") : "") +
        (p.Active is { } a ? (a ? " active" : " inactive") : "") +
        (p.Failing is { } f ? (f ? " failing" : " not-failing") : "");
}

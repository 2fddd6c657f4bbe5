using System.Collections.Immutable;

namespace Gating.Testing.Scenarios;

/// <summary>Checks one expectation against a cluster's present state; a message says what differs.</summary>
public sealed class ScenarioChecker(IScenarioCluster cluster, ScenarioNames names)
{
    /// <summary>Null when <paramref name="expectation"/> holds; otherwise what was expected and what was found.</summary>
    public string? Check(Expectation expectation) => expectation switch
    {
        HistoryExpectation h => CheckBuilds("history", h.Builds, cluster.History, h.Ordered),
        HistoryIncludesExpectation h => CheckIncludes(h),
        HistoryCountExpectation h => CheckCount(h),
        RunningExpectation r => CheckBuilds("running builds", r.Builds, cluster.RunningBuilds, ordered: false),
        QueueExpectation q => CheckQueue(q),
        VotesExpectation v => CheckVotes(v),
        MergedExpectation m => CheckMerged(m),
        ReportsExpectation r => CheckReports(r),
        _ => $"no checker for '{expectation.Keyword}'",
    };

    /// <summary>Whether a build matches a pattern.</summary>
    public bool Matches(BuildPattern p, BuildRecord b)
    {
        if ((p.Job is not null && p.Job != b.Job) ||
            (p.Result is not null && p.Result != b.Result) ||
            (p.Pipeline is not null && p.Pipeline != b.Pipeline) ||
            (p.Ref is not null && p.Ref != b.Ref) ||
            (p.Attempt is not null && p.Attempt != b.Attempt) ||
            (p.Patchset is not null && p.Patchset != b.Patchset))
        {
            return false;
        }
        if (p.Change is not null && (p.Change == "-" ? b.Change is not null : b.Change != names.Number(p.Change)))
        {
            return false;
        }
        if (p.With is { } with)
        {
            if (with.Length != b.TestedWith.Length)
            {
                return false;
            }
            for (int i = 0; i < with.Length; i++)
            {
                string actual = names.NameTestedWith(b.TestedWith[i]);
                if (actual != with[i] && actual.Split(',')[0] != with[i])
                {
                    return false;
                }
            }
        }
        return true;
    }

    private string? CheckBuilds(string what, ImmutableArray<BuildPattern> expected, IReadOnlyList<BuildRecord> actual, bool ordered)
    {
        bool ok = expected.Length == actual.Count && (ordered
            ? expected.Select((p, i) => Matches(p, actual[i])).All(m => m)
            : PerfectMatching(expected, actual));
        if (ok)
        {
            return null;
        }
        return $"expected {what}{(ordered ? " (in order)" : " (any order)")}:\n{string.Join("\n", expected.Select(p => "  " + ScenarioStateDump.Pattern(p)))}" +
               $"\nactual {what}:\n{ScenarioStateDump.Builds(actual, names)}";
    }

    /// <summary>Every pattern matched to a distinct build (Kuhn's augmenting paths; lists are short).</summary>
    private bool PerfectMatching(ImmutableArray<BuildPattern> patterns, IReadOnlyList<BuildRecord> builds)
    {
        var owner = new int[builds.Count];
        Array.Fill(owner, -1);
        for (int p = 0; p < patterns.Length; p++)
        {
            if (!Augment(p, new bool[builds.Count]))
            {
                return false;
            }
        }
        return true;

        bool Augment(int p, bool[] seen)
        {
            for (int b = 0; b < builds.Count; b++)
            {
                if (seen[b] || !Matches(patterns[p], builds[b]))
                {
                    continue;
                }
                seen[b] = true;
                if (owner[b] < 0 || Augment(owner[b], seen))
                {
                    owner[b] = p;
                    return true;
                }
            }
            return false;
        }
    }

    private string? CheckIncludes(HistoryIncludesExpectation h)
    {
        var history = cluster.History;
        int at = 0;
        foreach (var p in h.Builds)
        {
            while (at < history.Count && !Matches(p, history[at]))
            {
                at++;
            }
            if (at == history.Count)
            {
                return $"no build matching '{ScenarioStateDump.Pattern(p)}' (in this order after the ones before it) in the history:\n{ScenarioStateDump.Builds(history, names)}";
            }
            at++;
        }
        return null;
    }

    private string? CheckCount(HistoryCountExpectation h)
    {
        int n = cluster.History.Count(b => h.Filter is null || Matches(h.Filter, b));
        return n == h.Count ? null
            : $"expected {h.Count} builds{(h.Filter is null ? "" : " matching '" + ScenarioStateDump.Pattern(h.Filter) + "'")}, found {n}:\n{ScenarioStateDump.Builds(cluster.History, names)}";
    }

    private string? CheckQueue(QueueExpectation q)
    {
        var pipeline = cluster.GetPipeline(q.Pipeline);
        var queues = pipeline.Queues.Where(x => q.QueueName is null || x.Name == q.QueueName).ToList();
        string actual = "actual:\n" + ScenarioStateDump.Pipeline(pipeline, names);
        if (q.QueueName is not null && queues.Count == 0)
        {
            return $"pipeline {q.Pipeline} has no queue '{q.QueueName}'\n{actual}";
        }
        if (q.Items is { } expected)
        {
            var items = queues.SelectMany(x => x.Items).ToList();
            bool ok = items.Count == expected.Length && expected.Select((p, i) => ItemMatches(p, items[i])).All(m => m);
            if (!ok)
            {
                return $"expected items [{string.Join(", ", expected.Select(ScenarioStateDump.Pattern))}]\n{actual}";
            }
        }
        if (q.Window is { } window)
        {
            var withItems = queues.Where(x => q.QueueName is not null || !x.Items.IsEmpty).ToList();
            if (withItems.Count == 0)
            {
                return $"expected window {window}, but pipeline {q.Pipeline} has no queue with items (name the queue)\n{actual}";
            }
            if (withItems.Any(x => x.Window != window))
            {
                return $"expected window {window}\n{actual}";
            }
        }
        return null;
    }

    private bool ItemMatches(ItemPattern p, ItemSnapshot item)
    {
        bool changes = p.Ref is not null
            ? item.Ref == p.Ref && item.Changes.IsEmpty
            : item.Changes.Length == p.Changes.Length && p.Changes.All(n => item.Changes.Contains(names.Number(n)));
        return changes &&
               (p.Live is null || p.Live == item.Live) &&
               (p.Active is null || p.Active == item.Active) &&
               (p.Failing is null || p.Failing == item.Failing);
    }

    private string? CheckVotes(VotesExpectation v)
    {
        var votes = cluster.GetVotes(names.Number(v.Change));
        var wrong = v.Labels.Where(l => (votes.TryGetValue(l.Key, out int have) && have != 0 ? have : (int?)null) != l.Value).ToList();
        var extra = v.Exact ? votes.Where(kv => kv.Value != 0 && !v.Labels.ContainsKey(kv.Key)).ToList() : [];
        if (wrong.Count == 0 && extra.Count == 0)
        {
            return null;
        }
        string want = v.Labels.IsEmpty ? "no votes" : string.Join(", ", v.Labels.Select(l => $"{l.Key}: {l.Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}"));
        return $"{v.Change}: expected {want}; actual {ScenarioStateDump.Votes(votes)}";
    }

    private string? CheckMerged(MergedExpectation m)
    {
        var actual = cluster.MergedChanges.Select(names.Name).ToList();
        bool ok = m.Ordered ? actual.SequenceEqual(m.Changes) : actual.Order(StringComparer.Ordinal).SequenceEqual(m.Changes.Order(StringComparer.Ordinal));
        return ok ? null
            : $"expected {m.Keyword} [{string.Join(", ", m.Changes)}], actual [{string.Join(", ", actual)}]";
    }

    private string? CheckReports(ReportsExpectation r)
    {
        var reports = cluster.GetReports(names.Number(r.Change)).Where(x => r.Pipeline is null || x.Pipeline == r.Pipeline).ToList();
        var problems = new List<string>();
        if (r.Count is { } count && reports.Count != count)
        {
            problems.Add($"expected {count} reports, found {reports.Count}");
        }
        problems.AddRange(r.Contains.Where(f => !reports.Any(x => x.Message.Contains(f, StringComparison.Ordinal))).Select(f => $"no report contains '{f}'"));
        problems.AddRange(r.Lacks.Where(f => reports.Any(x => x.Message.Contains(f, StringComparison.Ordinal))).Select(f => $"a report contains '{f}'"));
        if (!r.Last.IsEmpty)
        {
            string last = reports.Count == 0 ? "" : reports[^1].Message;
            problems.AddRange(r.Last.Where(f => !last.Contains(f, StringComparison.Ordinal)).Select(f => $"the last report lacks '{f}'"));
        }
        return problems.Count == 0 ? null
            : $"{r.Change}{(r.Pipeline is null ? "" : " in " + r.Pipeline)}: {string.Join("; ", problems)}\nactual reports:\n{ScenarioStateDump.Reports(reports)}";
    }
}

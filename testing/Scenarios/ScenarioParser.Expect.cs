using System.Collections.Immutable;
using Gating.Config.Yaml;

namespace Gating.Testing.Scenarios;

public sealed partial class ScenarioParser
{
    /// <summary>Results a short build pattern recognises (any other word is a change name).</summary>
    internal static readonly ImmutableHashSet<string> Results =
    [
        "SUCCESS", "FAILURE", "TIMED_OUT", "POST_FAILURE", "NODE_FAILURE", "RETRY", "RETRY_LIMIT", "SKIPPED",
        "CANCELED", "ABORTED", "MERGE_CONFLICT", "MERGER_FAILURE", "ERROR", "DISK_FULL", "LOST",
    ];

    private ScenarioStep? ReadExpect(YamlNode value, SourceLocation at)
    {
        if (value is not YamlMapping m)
        {
            Error(value.Location, "'expect' is a mapping of expectations (history, running, queue, votes, merged, reports)");
            return null;
        }
        bool settle = true;
        var list = ImmutableArray.CreateBuilder<Expectation>();
        foreach (var e in m.Entries)
        {
            var eat = e.Key.Location;
            Expectation? x = e.KeyText switch
            {
                "settle" => SetSettle(e.Value, ref settle),
                "history" => new HistoryExpectation(eat, true, Builds(e.Value)),
                "history-unordered" => new HistoryExpectation(eat, false, Builds(e.Value)),
                "history-includes" => new HistoryIncludesExpectation(eat, Builds(e.Value)),
                "history-count" => ReadHistoryCount(e.Value, eat),
                "running" => new RunningExpectation(eat, Builds(e.Value)),
                "queue" => ReadQueue(e.Value, eat),
                "votes" => null,
                "merged" or "merged-unordered" => new MergedExpectation(eat,
                    [.. Names(e.Value).Where(n => n is not YamlScalar { IsNull: true }).Select(n => KnownChange(n, true) ?? "")],
                    Ordered: e.KeyText == "merged"),
                "reports" => null,
                _ => Fail<Expectation?>(e.Key, $"unknown expectation '{e.KeyText}' (history, history-unordered, history-includes, history-count, running, queue, votes, merged, merged-unordered, reports, settle)", null),
            };
            if (x is not null)
            {
                list.Add(x);
            }
            if (e.KeyText == "votes")
            {
                list.AddRange(ReadVotes(e.Value));
            }
            if (e.KeyText == "reports")
            {
                list.AddRange(ReadReports(e.Value));
            }
        }
        return new ExpectStep(at, settle, list.ToImmutable());
    }

    private Expectation? SetSettle(YamlNode node, ref bool settle)
    {
        settle = Bool(node) ?? true;
        return null;
    }

    private Expectation? ReadHistoryCount(YamlNode node, SourceLocation at)
    {
        if (node is YamlMapping m)
        {
            CheckKeys(m, ["count", "job", "change", "result", "pipeline", "ref", "attempt", "patchset", "with"]);
            return new HistoryCountExpectation(at, Int(m.Get("count")) ?? Fail(m, "'count' is missing", 0), BuildOf(m));
        }
        return Int(node) is { } n ? new HistoryCountExpectation(at, n, null) : null;
    }

    private ImmutableArray<BuildPattern> Builds(YamlNode node)
    {
        if (node is YamlScalar { IsNull: true })
        {
            return [];
        }
        return [.. Seq(node, "builds").Select(BuildOf).OfType<BuildPattern>()];
    }

    /// <summary>"JOB [CHANGE] [RESULT] [with NAME...]" or a mapping.</summary>
    private BuildPattern? BuildOf(YamlNode node)
    {
        if (node is YamlMapping m)
        {
            CheckKeys(m, ["job", "change", "result", "pipeline", "ref", "attempt", "patchset", "with", "count"]);
            string? change = m.Get("change") is { } cn ? (Str(cn) == "-" ? "-" : KnownChange(cn, true)) : null;
            ImmutableArray<string>? with = m.Get("with") is { } wn ? [.. Names(wn).Select(WithEntry)] : null;
            return new BuildPattern(Str(m.Get("job")), change, Str(m.Get("patchset")), Str(m.Get("result")), with,
                Str(m.Get("pipeline")), Str(m.Get("ref")), Int(m.Get("attempt")));
        }
        string? text = Str(node);
        if (text is null)
        {
            return null;
        }
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string? job = words.Length > 0 ? words[0] : null;
        string? changeName = null, result = null;
        ImmutableArray<string>? withList = null;
        for (int i = 1; i < words.Length; i++)
        {
            if (words[i] == "with")
            {
                withList = [.. words[(i + 1)..].Select(w => WithWord(w, node))];
                break;
            }
            if (Results.Contains(words[i]))
            {
                result = words[i];
            }
            else if (words[i] == "-" || _declared.Contains(words[i]))
            {
                changeName = words[i];
            }
            else
            {
                Error(node.Location, $"'{words[i]}' in '{text}' is neither a declared change nor a result");
            }
        }
        return new BuildPattern(job, changeName, null, result, withList, null, null, null);
    }

    private string WithEntry(YamlNode node) => WithWord(Str(node) ?? "", node);

    /// <summary>"A" or "A,2": the change must be declared.</summary>
    private string WithWord(string word, YamlNode node)
    {
        string name = word.Split(',')[0];
        if (!_declared.Contains(name))
        {
            Error(node.Location, $"'{name}' names no change declared before this point");
        }
        return word;
    }

    private Expectation? ReadQueue(YamlNode node, SourceLocation at)
    {
        if (node is not YamlMapping m)
        {
            Error(node.Location, "'queue' is a mapping with 'pipeline', and 'items' and/or 'window'");
            return null;
        }
        CheckKeys(m, ["pipeline", "queue", "items", "window"]);
        ImmutableArray<ItemPattern>? items = m.Get("items") is { } itemsNode
            ? [.. (itemsNode is YamlScalar { IsNull: true } ? [] : Seq(itemsNode, "items")).Select(ItemOf).OfType<ItemPattern>()]
            : null;
        return new QueueExpectation(at, Required(m, "pipeline"), Str(m.Get("queue")), items, Int(m.Get("window")));
    }

    /// <summary>"A", "A+B" (a cycle item), "refs/..." (a ref item), or a mapping with flags.</summary>
    private ItemPattern? ItemOf(YamlNode node)
    {
        if (node is YamlMapping m)
        {
            CheckKeys(m, ["change", "ref", "live", "active", "failing"]);
            var basic = m.Get("change") is { } cn ? ItemOf(cn) : m.Get("ref") is { } rn ? ItemOf(rn) : null;
            if (basic is null)
            {
                Error(m.Location, "an item names its 'change' (or 'A+B' for a cycle) or its 'ref'");
                return null;
            }
            return basic with { Live = Bool(m.Get("live")), Active = Bool(m.Get("active")), Failing = Bool(m.Get("failing")) };
        }
        string? text = Str(node);
        if (text is null)
        {
            return null;
        }
        if (text.StartsWith("refs/", StringComparison.Ordinal))
        {
            return new ItemPattern([], text, null, null, null);
        }
        var names = text.Split('+', StringSplitOptions.TrimEntries);
        foreach (var n in names.Where(n => !_declared.Contains(n)))
        {
            Error(node.Location, $"'{n}' names no change declared before this point");
        }
        return new ItemPattern([.. names], null, null, null, null);
    }

    private IEnumerable<Expectation> ReadVotes(YamlNode node)
    {
        if (node is not YamlMapping m)
        {
            Error(node.Location, "'votes' maps change names to labels, e.g. 'A: {Verified: 2}' (or 'A: none')");
            yield break;
        }
        foreach (var e in m.Entries)
        {
            if (KnownChange(e.Key, true) is not { } change)
            {
                continue;
            }
            if (e.Value is YamlScalar { Text: "none" } or YamlScalar { IsNull: true })
            {
                yield return new VotesExpectation(e.Key.Location, change, ImmutableDictionary<string, int?>.Empty, true);
                continue;
            }
            if (e.Value is not YamlMapping labels)
            {
                Error(e.Value.Location, "expected labels and values, e.g. '{Verified: 2}', or 'none'");
                continue;
            }
            var dict = ImmutableDictionary.CreateBuilder<string, int?>();
            foreach (var l in labels.Entries)
            {
                dict[l.KeyText] = l.Value is YamlScalar { IsNull: true } ? null : Int(l.Value);
            }
            yield return new VotesExpectation(e.Key.Location, change, dict.ToImmutable(), false);
        }
    }

    private IEnumerable<Expectation> ReadReports(YamlNode node)
    {
        if (node is not YamlMapping m)
        {
            Error(node.Location, "'reports' maps change names to what their reports hold");
            yield break;
        }
        foreach (var e in m.Entries)
        {
            if (KnownChange(e.Key, true) is not { } change)
            {
                continue;
            }
            if (e.Value is not YamlMapping r)
            {
                // Short form: a fragment or a list of fragments found in some report.
                yield return new ReportsExpectation(e.Key.Location, change, null, null, Fragments(e.Value), [], []);
                continue;
            }
            CheckKeys(r, ["pipeline", "count", "contains", "lacks", "last"]);
            yield return new ReportsExpectation(e.Key.Location, change, Str(r.Get("pipeline")), Int(r.Get("count")),
                Fragments(r.Get("contains")), Fragments(r.Get("lacks")), Fragments(r.Get("last")));
        }
    }

    private ImmutableArray<string> Fragments(YamlNode? node) =>
        node is null ? [] : [.. Names(node).Select(n => Str(n) ?? "")];
}

using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Gating.Config.Yaml;

namespace Gating.Testing.Scenarios;

public sealed partial class ScenarioParser
{
    private ScenarioStep? ReadStep(YamlNode node)
    {
        if (node is YamlScalar { Text: "settle" })
        {
            return new SettleStep(node.Location);
        }
        if (node is not YamlMapping { Count: 1 } m)
        {
            Error(node.Location, "a step is 'settle' or a mapping with exactly one key (the step's keyword)");
            return null;
        }
        var (key, value) = (m.Entries[0].KeyText, m.Entries[0].Value);
        var at = m.Entries[0].Key.Location;
        switch (key)
        {
            case "upload":
                return ForEachChange(value, at, c => new UploadStep(at, c));
            case "recheck":
                return ForEachChange(value, at, c => new CommentStep(at, c, "recheck", null));
            case "abandon":
                return ForEachChange(value, at, c => new ChangeEventStep(at, ChangeEventKind.Abandon, c));
            case "restore":
                return ForEachChange(value, at, c => new ChangeEventStep(at, ChangeEventKind.Restore, c));
            case "merge":
                return ForEachChange(value, at, c => new ChangeEventStep(at, ChangeEventKind.Merge, c));
            case "approve":
                return ReadApprove(value, at);
            case "new-patchset":
                return ReadNewPatchset(value, at);
            case "comment":
                return ReadComment(value, at);
            case "ref-update":
                return ReadRefUpdate(value, at);
            case "advance-time":
                return Duration(value) is { } by ? new AdvanceTimeStep(at, by) : null;
            case "enqueue":
                return ReadEnqueue(value, at);
            case "dequeue":
                return MapStep(value, at, ["pipeline", "change"], mm =>
                    new DequeueStep(at, Required(mm, "pipeline"), ChangeOf(mm, "change") ?? ""));
            case "promote":
                return MapStep(value, at, ["pipeline", "changes"], mm =>
                    new PromoteStep(at, Required(mm, "pipeline"),
                        mm.Get("changes") is { } cs ? [.. Names(cs).Select(n => KnownChange(n, true) ?? "")] : []));
            case "reconfigure":
                return new ReconfigureStep(at, value is YamlScalar { IsNull: true } ? [] : ReadRepoFiles(value));
            case "outcome":
                return ReadOutcome(value, at);
            case "hold" or "release":
                return ReadHold(value, at, key == "release");
            case "merge-conflict":
                return ReadToggle(value, at, "change", "conflict", (n, on) => KnownChange(n, true) is { } c ? new MergeConflictStep(at, c, on) : null);
            case "node-failure":
                return ReadToggle(value, at, "label", "fail", (n, on) => Str(n) is { } l ? new NodeFailureStep(at, l, on) : null);
            case "create":
                return ReadChange(value) is { } spec ? new CreateStep(at, spec) : null;
            case "settle":
                return new SettleStep(at);
            case "expect":
                return ReadExpect(value, at);
            default:
                Error(at, $"unknown step '{key}'");
                return null;
        }
    }

    /// <summary>Steps on a change name or a list of names: a list becomes one step per change, in order.</summary>
    private ScenarioStep? ForEachChange(YamlNode value, SourceLocation at, Func<string, ScenarioStep> make)
    {
        var names = Names(value).Select(n => KnownChange(n, true)).ToList();
        if (names.Any(n => n is null))
        {
            return null;
        }
        return names.Count == 1 ? make(names[0]!) : new CompoundStep(at, [.. names.Select(n => make(n!))]);
    }

    private ScenarioStep? ReadApprove(YamlNode value, SourceLocation at)
    {
        if (value is not YamlMapping m)
        {
            // Short form: Code-Review +2 then Approved +1, the two votes that put a change into the gate.
            return ForEachChange(value, at, c => new ApproveStep(at, c,
                [new("Code-Review", 2), new("Approved", 1)], null));
        }
        string? change = ChangeOf(m, "change");
        var votes = ImmutableArray.CreateBuilder<KeyValuePair<string, int>>();
        foreach (var e in m.Entries.Where(e => e.KeyText is not ("change" or "by")))
        {
            if (e.Value is YamlScalar s && s.AsInt64() is { } v)
            {
                votes.Add(new(e.KeyText, (int)v));
            }
            else
            {
                Error(e.Value.Location, $"the vote on '{e.KeyText}' is an integer");
            }
        }
        if (votes.Count == 0)
        {
            Error(at, "'approve' names at least one label and value, e.g. 'Code-Review: 2'");
        }
        return change is null ? null : new ApproveStep(at, change, votes.ToImmutable(), Str(m.Get("by")));
    }

    private ScenarioStep? ReadNewPatchset(YamlNode value, SourceLocation at)
    {
        if (value is not YamlMapping m)
        {
            return ForEachChange(value, at, c => new NewPatchsetStep(at, c, null));
        }
        return MapStep(value, at, ["change", "files"], mm => ChangeOf(mm, "change") is { } c ? new NewPatchsetStep(at, c, ReadFiles(mm.Get("files"))) : null);
    }

    private ScenarioStep? ReadComment(YamlNode value, SourceLocation at) =>
        MapStep(value, at, ["change", "text", "by"], m =>
            ChangeOf(m, "change") is { } c ? new CommentStep(at, c, Required(m, "text"), Str(m.Get("by"))) : null);

    private ScenarioStep? ReadRefUpdate(YamlNode value, SourceLocation at) =>
        MapStep(value, at, ["project", "ref", "files"], m =>
            new RefUpdateStep(at, Str(m.Get("project")) ?? "org/project", Str(m.Get("ref")) ?? "refs/heads/master", ReadFiles(m.Get("files"))));

    private ScenarioStep? ReadEnqueue(YamlNode value, SourceLocation at) =>
        MapStep(value, at, ["pipeline", "change", "project", "ref"], m =>
        {
            string? change = m.Get("change") is { } cn ? KnownChange(cn, true) : null;
            string? gitRef = Str(m.Get("ref"));
            if ((change is null) == (gitRef is null))
            {
                Error(at, "'enqueue' names either a 'change' or a 'ref' (with its 'project')");
            }
            return new EnqueueStep(at, Required(m, "pipeline"), change, Str(m.Get("project")) ?? "org/project", gitRef);
        });

    private ScenarioStep? ReadOutcome(YamlNode value, SourceLocation at) =>
        MapStep(value, at, ["job", "change", "pipeline", "result", "retries", "return", "pause", "times"], m =>
        {
            var (selector, change) = Selector(m);
            string result = Str(m.Get("result")) ?? "SUCCESS";
            if (result is not ("SUCCESS" or "FAILURE" or "TIMED_OUT" or "POST_FAILURE"))
            {
                Error(m.Get("result")!.Location, $"result '{result}' is not one of SUCCESS, FAILURE, TIMED_OUT, POST_FAILURE (NODE_FAILURE: use 'node-failure'; retries: use 'retries')");
            }
            string? data = m.Get("return") is { } rn ? JsonOf(rn) : null;
            var rule = new BuildOutcomeRule(selector, result, Int(m.Get("retries")) ?? 0, data, Bool(m.Get("pause")) ?? false, Int(m.Get("times")));
            return new OutcomeStep(at, selector, change, rule);
        });

    private ScenarioStep? ReadHold(YamlNode value, SourceLocation at, bool release)
    {
        if (value is YamlScalar { IsNull: true } or YamlScalar { Text: "all" })
        {
            return new HoldStep(at, release, new BuildSelector(), null);
        }
        return MapStep(value, at, ["job", "change", "pipeline"], m =>
        {
            var (selector, change) = Selector(m);
            return new HoldStep(at, release, selector, change);
        });
    }

    private (BuildSelector Selector, string? Change) Selector(YamlMapping m)
    {
        string? change = m.Get("change") is { } cn ? KnownChange(cn, true) : null;
        return (new BuildSelector(Str(m.Get("job")), null, Str(m.Get("pipeline"))), change);
    }

    private ScenarioStep? ReadToggle(YamlNode value, SourceLocation at, string nameKey, string flagKey, Func<YamlNode, bool, ScenarioStep?> make)
    {
        if (value is YamlScalar)
        {
            return make(value, true);
        }
        return MapStep(value, at, [nameKey, flagKey], m =>
            m.Get(nameKey) is { } n ? make(n, Bool(m.Get(flagKey)) ?? true) : Fail<ScenarioStep?>(m, $"'{nameKey}' is missing", null));
    }

    private ScenarioStep? MapStep(YamlNode value, SourceLocation at, string[] keys, Func<YamlMapping, ScenarioStep?> make)
    {
        if (value is not YamlMapping m)
        {
            Error(value.Location, $"this step takes a mapping with: {string.Join(", ", keys)}");
            return null;
        }
        CheckKeys(m, keys);
        return make(m);
    }

    private string Required(YamlMapping m, string key)
    {
        if (Str(m.Get(key)) is { } s)
        {
            return s;
        }
        Error(m.Location, $"'{key}' is missing");
        return "";
    }

    private string? ChangeOf(YamlMapping m, string key)
    {
        if (m.Get(key) is { } n)
        {
            return KnownChange(n, true);
        }
        Error(m.Location, $"'{key}' is missing");
        return null;
    }

    private int? Int(YamlNode? node) => node switch
    {
        null => null,
        YamlScalar s when s.AsInt64() is { } v => (int)v,
        _ => Fail<int?>(node, "expected an integer", null),
    };

    private bool? Bool(YamlNode? node) => node switch
    {
        null => null,
        YamlScalar s when s.AsBool() is { } v => v,
        _ => Fail<bool?>(node, "expected true or false", null),
    };

    /// <summary>"90s", "5m", "2h", "1d", or a number of seconds.</summary>
    private TimeSpan? Duration(YamlNode node)
    {
        string text = Str(node) ?? "";
        if (text.Length > 1 && char.IsLetter(text[^1]) &&
            double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double n))
        {
            switch (text[^1])
            {
                case 's': return TimeSpan.FromSeconds(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'd': return TimeSpan.FromDays(n);
            }
        }
        else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }
        Error(node.Location, $"'{text}' is not a duration (e.g. 30s, 5m, 2h, 1d)");
        return null;
    }

    /// <summary>A YAML value as JSON (zuul_return data).</summary>
    private string JsonOf(YamlNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteJson(writer, node);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteJson(Utf8JsonWriter w, YamlNode node)
    {
        switch (node)
        {
            case YamlMapping m:
                w.WriteStartObject();
                foreach (var e in m.Entries)
                {
                    w.WritePropertyName(e.KeyText);
                    WriteJson(w, e.Value);
                }
                w.WriteEndObject();
                break;
            case YamlSequence s:
                w.WriteStartArray();
                foreach (var item in s.Items)
                {
                    WriteJson(w, item);
                }
                w.WriteEndArray();
                break;
            case YamlScalar { IsNull: true }:
                w.WriteNullValue();
                break;
            case YamlScalar sc when sc.AsBool() is { } b:
                w.WriteBooleanValue(b);
                break;
            case YamlScalar sc when sc.AsInt64() is { } i:
                w.WriteNumberValue(i);
                break;
            case YamlScalar sc when sc.AsDouble() is { } d:
                w.WriteNumberValue(d);
                break;
            default:
                w.WriteStringValue(node is YamlScalar str ? str.Text : "");
                break;
        }
    }
}

/// <summary>Several steps written as one (e.g. <c>upload: [A, B]</c>), run in order.</summary>
public sealed record CompoundStep(SourceLocation At, ImmutableArray<ScenarioStep> Steps) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => Steps.IsEmpty ? "steps" : Steps[0].Keyword;
}

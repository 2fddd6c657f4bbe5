using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using Gating.Config.Model;
using Gating.Config.Yaml;

namespace Gating.Scheduler.Sources;

/// <summary>
/// Reads the Gerrit-style <c>trigger</c>, <c>require</c> and <c>reject</c> sections of a pipeline. Unknown keys are
/// ignored here: the config loader validates the stanza.
/// </summary>
public static class TriggerParser
{
    /// <summary>The trigger filters of every connection section.</summary>
    public static ImmutableArray<TriggerFilter> Triggers(PipelineConfig pipeline) =>
        pipeline.Trigger.SelectMany(section => Items(section.Value).Select(m => Filter(section.Connection, m))).ToImmutableArray();

    /// <summary>The <c>require</c> sections.</summary>
    public static ImmutableArray<ChangeRequirement> Requirements(ImmutableArray<ConnectionSection> sections) =>
        sections.Select(s => s.Value).OfType<YamlMapping>().Select(Requirement).ToImmutableArray();

    /// <summary>The timer specs (<c>time</c>) of the pipeline's timer triggers.</summary>
    public static ImmutableArray<string> TimerSpecs(PipelineConfig pipeline) =>
        pipeline.Trigger.Where(s => s.Connection == "timer")
            .SelectMany(s => Items(s.Value))
            .Select(m => Text(m.Get("time")))
            .OfType<string>()
            .ToImmutableArray();

    private static IEnumerable<YamlMapping> Items(YamlNode node) => node switch
    {
        YamlSequence seq => seq.Items.OfType<YamlMapping>(),
        YamlMapping map => [map],
        _ => [],
    };

    private static TriggerFilter Filter(string connection, YamlMapping m) => new()
    {
        Connection = connection,
        Events = Strings(m.Get("event")),
        Branches = Regexes(m.Get("branch")),
        Refs = Regexes(m.Get("ref")),
        Comments = Regexes(m.Get("comment")),
        Usernames = Regexes(m.Get("username")),
        Approvals = Approvals(m.Get("approval")),
        RequireApprovals = ApprovalRequirements(m.Get("require-approval")),
        RejectApprovals = ApprovalRequirements(m.Get("reject-approval")),
    };

    private static ChangeRequirement Requirement(YamlMapping m) => new()
    {
        Approvals = ApprovalRequirements(m.Get("approval")),
        Open = (m.Get("open") as YamlScalar)?.AsBool(),
        CurrentPatchset = (m.Get("current-patchset") as YamlScalar)?.AsBool(),
        Status = Strings(m.Get("status")),
    };

    private static ImmutableArray<(string, int)> Approvals(YamlNode? node) =>
        Items(node ?? new YamlSequence([], default))
            .SelectMany(m => m.Entries)
            .Select(e => (e.KeyText, Int(e.Value) ?? 0))
            .ToImmutableArray();

    private static ImmutableArray<ApprovalRequirement> ApprovalRequirements(YamlNode? node) =>
        node is null ? [] : Items(node).Select(m =>
        {
            Regex? user = null;
            var labels = ImmutableDictionary.CreateBuilder<string, ImmutableArray<int>>();
            foreach (var e in m.Entries)
            {
                if (e.KeyText is "username" or "email")
                {
                    user = Text(e.Value) is { } u ? new Regex(u, RegexOptions.CultureInvariant) : null;
                }
                else if (e.KeyText is not ("newer-than" or "older-than"))
                {
                    labels[e.KeyText] = e.Value is YamlSequence s ? s.Items.Select(Int).OfType<int>().ToImmutableArray() : [Int(e.Value) ?? 0];
                }
            }
            return new ApprovalRequirement(labels.ToImmutable(), user);
        }).ToImmutableArray();

    private static ImmutableArray<string> Strings(YamlNode? node) => node switch
    {
        YamlScalar s when !s.IsNull => [s.Text],
        YamlSequence seq => seq.Items.Select(Text).OfType<string>().ToImmutableArray(),
        _ => [],
    };

    private static ImmutableArray<Regex> Regexes(YamlNode? node) =>
        Strings(node).Select(s => new Regex(s, RegexOptions.CultureInvariant)).ToImmutableArray();

    private static string? Text(YamlNode? node) => node is YamlScalar { IsNull: false } s ? s.Text : null;

    private static int? Int(YamlNode? node) =>
        node is YamlScalar s && int.TryParse(s.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;
}

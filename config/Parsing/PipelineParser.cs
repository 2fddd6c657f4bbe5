using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Yaml;

namespace Gating.Config.Parsing;

/// <summary>Parses <c>pipeline</c> stanzas (reference §2.3). Driver-specific parts stay YAML, keyed by connection.</summary>
public static class PipelineParser
{
    private static readonly StanzaSchema Schema = new("pipeline",
    [
        "name", "manager", "description", "variant-description", "post-review", "success-message", "failure-message",
        "start-message", "enqueue-message", "merge-conflict-message", "merge-failure-message", "no-jobs-message",
        "dequeue-message", "footer-message", "trigger", "require", "reject", "allow-other-connections", "supercedes",
        "dequeue-on-new-patchset", "ignore-dependencies", "precedence", "enqueue", "start", "success", "failure",
        "merge-conflict", "merge-failure", "config-error", "no-jobs", "disabled", "dequeue",
        "disable-after-consecutive-failures", "window", "window-floor", "window-ceiling", "window-increase-type",
        "window-increase-factor", "window-decrease-type", "window-decrease-factor",
    ]);

    /// <summary>Parses a <c>pipeline</c>; null when it has an error.</summary>
    public static PipelineConfig? Parse(YamlMapping map, SourceContext source, ErrorSink errors)
    {
        int before = errors.ErrorCount;
        var r = new StanzaReader(map, "pipeline", errors);
        r.CheckKeys(Schema);
        string? name = r.String("name", required: true);
        string? manager = r.Choice("manager", "independent", "dependent", "serial", "supercedent");
        if (manager is null && !r.Has("manager"))
        {
            errors.Error(ConfigErrorCodes.MissingAttribute, map.Location, "pipeline is missing the required attribute 'manager'");
        }
        if (!r.Has("trigger"))
        {
            errors.Error(ConfigErrorCodes.MissingAttribute, map.Location, "pipeline is missing the required attribute 'trigger'");
        }
        var reporters = ImmutableDictionary.CreateBuilder<string, ImmutableArray<ConnectionSection>>(StringComparer.Ordinal);
        foreach (var action in PipelineConfig.ReporterActions)
        {
            var sections = Sections(r, action);
            if (action == "merge-conflict" && sections.IsEmpty) sections = Sections(r, "merge-failure");
            if (!sections.IsEmpty) reporters[action] = sections;
        }
        string? precedence = r.Choice("precedence", "high", "normal", "low");
        var defaults = new PipelineConfig { Name = "", Manager = PipelineManagerKind.Independent, Location = map.Location, Source = source };
        var window = new PipelineWindow(
            r.Int("window") ?? 20,
            r.Int("window-floor") ?? 3,
            r.Int("window-ceiling"),
            r.Choice("window-increase-type", "linear", "exponential") ?? "linear",
            r.Int("window-increase-factor") ?? 1,
            r.Choice("window-decrease-type", "linear", "exponential") ?? "exponential",
            r.Int("window-decrease-factor") ?? 2);
        var pipeline = defaults with
        {
            Name = name ?? "",
            Manager = manager switch
            {
                "dependent" => PipelineManagerKind.Dependent,
                "serial" => PipelineManagerKind.Serial,
                "supercedent" => PipelineManagerKind.Supercedent,
                _ => PipelineManagerKind.Independent,
            },
            Description = r.String("description"),
            VariantDescription = r.String("variant-description"),
            PostReview = r.Bool("post-review") ?? false,
            SuccessMessage = r.String("success-message") ?? defaults.SuccessMessage,
            FailureMessage = r.String("failure-message") ?? defaults.FailureMessage,
            StartMessage = r.String("start-message") ?? defaults.StartMessage,
            EnqueueMessage = r.String("enqueue-message") ?? defaults.EnqueueMessage,
            MergeConflictMessage = r.String("merge-conflict-message") ?? r.String("merge-failure-message") ?? defaults.MergeConflictMessage,
            NoJobsMessage = r.String("no-jobs-message") ?? defaults.NoJobsMessage,
            DequeueMessage = r.String("dequeue-message") ?? defaults.DequeueMessage,
            FooterMessage = r.String("footer-message"),
            Trigger = Sections(r, "trigger"),
            Require = Sections(r, "require"),
            Reject = Sections(r, "reject"),
            AllowOtherConnections = r.Bool("allow-other-connections") ?? true,
            Supercedes = r.StringListWithLocations("supercedes") ?? [],
            DequeueOnNewPatchset = r.Bool("dequeue-on-new-patchset") ?? true,
            IgnoreDependencies = r.Bool("ignore-dependencies") ?? false,
            Precedence = precedence switch { "high" => PipelinePrecedence.High, "low" => PipelinePrecedence.Low, _ => PipelinePrecedence.Normal },
            Reporters = reporters.ToImmutable(),
            DisableAfterConsecutiveFailures = r.Int("disable-after-consecutive-failures"),
            Window = window,
        };
        return errors.ErrorCount == before && name is not null && manager is not null ? pipeline : null;
    }

    private static ImmutableArray<ConnectionSection> Sections(StanzaReader r, string key)
    {
        var node = r.Node(key);
        if (node is null || node is YamlScalar { IsNull: true }) return [];
        if (node is not YamlMapping m)
        {
            r.Errors.Error(ConfigErrorCodes.InvalidValue, node.Location, $"pipeline attribute '{key}' must be a mapping of connection names, not {node.Describe()}");
            return [];
        }
        var b = ImmutableArray.CreateBuilder<ConnectionSection>(m.Count);
        foreach (var e in m.Entries)
        {
            b.Add(new ConnectionSection(e.KeyText, e.Value, e.Key.Location));
        }
        return b.MoveToImmutable();
    }
}

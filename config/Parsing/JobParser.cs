using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Yaml;

namespace Gating.Config.Parsing;

/// <summary>Parses <c>job</c> stanzas and project-pipeline local job variants (reference §2.4).</summary>
public static partial class JobParser
{
    /// <summary>Every job attribute.</summary>
    public static readonly StanzaSchema Schema = new("job",
    [
        "name", "parent", "description", "variant-description", "abstract", "final", "protected", "intermediate",
        "attribute-control", "success-message", "failure-message", "success-url", "failure-url", "voting",
        "hold-following-changes", "branches", "files", "irrelevant-files", "match-on-config-updates", "nodeset",
        "pre-run", "run", "post-run", "cleanup-run", "timeout", "pre-timeout", "post-timeout", "attempts", "roles",
        "required-projects", "override-checkout", "override-branch", "ansible-version", "ansible-split-streams",
        "workspace-scheme", "workspace-checkout", "failure-output", "deduplicate", "image-build-name", "vars",
        "extra-vars", "host-vars", "group-vars", "include-vars", "secrets", "post-review", "allowed-projects",
        "semaphore", "semaphores", "dependencies", "provides", "requires", "tags",
    ],
    ["ansible-tags", "ansible-skip-tags", "zuul-image-build-name"]);

    private static readonly ImmutableHashSet<string> ControlledAttributes =
    [
        "requires", "provides", "tags", "files", "irrelevant-files", "required-projects", "vars", "extra-vars",
        "host-vars", "group-vars", "include-vars", "dependencies", "failure-output",
    ];

    /// <summary>Parses a <c>job</c> stanza; null when it has an error (the stanza is skipped).</summary>
    public static JobConfig? Parse(YamlMapping map, SourceContext source, ErrorSink errors)
    {
        int before = errors.ErrorCount;
        var r = new StanzaReader(map, "job", errors);
        r.CheckKeys(Schema);
        string? name = r.String("name", required: true);
        var job = ParseAttributes(r, name ?? "", source);
        return errors.ErrorCount == before && name is not null ? job : null;
    }

    /// <summary>Parses a project-pipeline local variant <c>{name: {attrs}}</c> (every job attribute but <c>name</c>).</summary>
    public static JobConfig? ParseVariant(string name, YamlMapping map, SourceContext source, ErrorSink errors)
    {
        int before = errors.ErrorCount;
        var r = new StanzaReader(map, $"job '{name}' variant", errors);
        r.CheckKeys(Schema);
        var job = ParseAttributes(r, name, source);
        return errors.ErrorCount == before ? job : null;
    }

    private static JobConfig ParseAttributes(StanzaReader r, string name, SourceContext source)
    {
        var map = r.Map;
        var set = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var controls = ImmutableDictionary.CreateBuilder<string, OverrideControl>(StringComparer.Ordinal);
        foreach (var e in map.Entries)
        {
            set.Add(e.KeyText);
            if (e.Value.OverrideControl != OverrideControl.Default) controls[e.KeyText] = e.Value.OverrideControl;
        }
        var parentNode = r.Node("parent");
        bool isBase = parentNode is YamlScalar { IsNull: true };
        return new JobConfig
        {
            Name = name,
            Location = map.Location,
            Source = source,
            SetAttributes = set.ToImmutable(),
            OverrideControls = controls.Count == 0 ? ImmutableDictionary<string, OverrideControl>.Empty : controls.ToImmutable(),
            Parent = r.String("parent"),
            ParentLocation = parentNode?.Location,
            IsBaseJob = isBase,
            Description = r.String("description"),
            VariantDescription = r.String("variant-description"),
            Abstract = r.Bool("abstract"),
            Final = r.Bool("final"),
            Protected = r.Bool("protected"),
            Intermediate = r.Bool("intermediate"),
            AttributeControl = ParseAttributeControl(r),
            SuccessMessage = r.String("success-message"),
            FailureMessage = r.String("failure-message"),
            SuccessUrl = r.String("success-url"),
            FailureUrl = r.String("failure-url"),
            Voting = r.Bool("voting"),
            HoldFollowingChanges = r.Bool("hold-following-changes"),
            Branches = r.Regexes("branches"),
            Files = r.Regexes("files"),
            IrrelevantFiles = r.Regexes("irrelevant-files"),
            MatchOnConfigUpdates = r.Bool("match-on-config-updates"),
            Nodeset = r.Node("nodeset") is { } ns ? NodesetParser.ParseReference(ns, source, r.Errors) : null,
            PreRun = Playbooks(r, "pre-run"),
            Run = Playbooks(r, "run"),
            PostRun = Playbooks(r, "post-run"),
            CleanupRun = Playbooks(r, "cleanup-run"),
            Timeout = r.Int("timeout"),
            PreTimeout = r.Int("pre-timeout"),
            PostTimeout = r.Int("post-timeout"),
            Attempts = r.Int("attempts"),
            Roles = Roles(r),
            RequiredProjects = RequiredProjects(r),
            OverrideCheckout = r.Text("override-checkout"),
            OverrideBranch = r.Text("override-branch"),
            AnsibleVersion = r.Text("ansible-version"),
            AnsibleSplitStreams = r.Bool("ansible-split-streams"),
            WorkspaceScheme = r.Choice("workspace-scheme", "golang", "flat", "unique"),
            WorkspaceCheckout = r.Choice("workspace-checkout", "true", "false", "auto"),
            FailureOutput = r.StringList("failure-output"),
            Deduplicate = r.Choice("deduplicate", "auto", "true", "false"),
            ImageBuildName = r.String("image-build-name"),
            Vars = r.Mapping("vars"),
            ExtraVars = r.Mapping("extra-vars"),
            HostVars = r.Mapping("host-vars"),
            GroupVars = r.Mapping("group-vars"),
            IncludeVars = IncludeVars(r),
            Secrets = Secrets(r),
            PostReview = r.Bool("post-review"),
            AllowedProjects = r.StringList("allowed-projects"),
            Semaphores = Semaphores(r),
            Dependencies = Dependencies(r),
            Provides = r.StringList("provides"),
            Requires = r.StringList("requires"),
            Tags = r.StringList("tags"),
        };
    }

    private static ImmutableDictionary<string, bool>? ParseAttributeControl(StanzaReader r)
    {
        if (r.Mapping("attribute-control") is not { } m) return null;
        var b = ImmutableDictionary.CreateBuilder<string, bool>(StringComparer.Ordinal);
        foreach (var e in m.Entries)
        {
            if (!ControlledAttributes.Contains(e.KeyText))
            {
                r.Errors.Error(ConfigErrorCodes.UnknownAttribute, e.Key.Location, $"attribute-control does not apply to '{e.KeyText}'");
                continue;
            }
            if (e.Value is not YamlMapping inner)
            {
                r.Errors.Error(ConfigErrorCodes.InvalidValue, e.Value.Location, $"attribute-control '{e.KeyText}' must be a mapping like {{final: true}}");
                continue;
            }
            var ir = new StanzaReader(inner, $"attribute-control '{e.KeyText}'", r.Errors);
            ir.CheckKeys(FinalSchema);
            b[e.KeyText] = ir.Bool("final") ?? false;
        }
        return b.ToImmutable();
    }

    private static readonly StanzaSchema FinalSchema = new("attribute-control", ["final"]);
}

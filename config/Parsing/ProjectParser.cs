using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Yaml;

namespace Gating.Config.Parsing;

/// <summary>
/// Parses <c>project</c> and <c>project-template</c> stanzas (reference §2.5). Every key that is not a project
/// attribute is a pipeline section; the layout checks that the pipeline exists.
/// </summary>
public static class ProjectParser
{
    private static readonly HashSet<string> ProjectAttributes =
        ["name", "templates", "branches", "default-branch", "merge-mode", "vars", "queue", "description"];
    private static readonly HashSet<string> TemplateAttributes = ["name", "description", "queue", "vars"];
    private static readonly HashSet<string> TemplateForbidden = ["templates", "branches", "default-branch", "merge-mode"];
    private static readonly StanzaSchema PipelineSectionSchema = new("project pipeline", ["jobs", "debug", "fail-fast"], ["queue"]);

    /// <summary>The merge modes.</summary>
    public static readonly string[] MergeModes = ["merge", "merge-resolve", "merge-recursive", "merge-ort", "cherry-pick", "squash-merge", "rebase"];

    /// <summary>Parses a <c>project</c> stanza. A missing name means the project holding the file.</summary>
    public static ProjectConfig? Parse(YamlMapping map, SourceContext source, ErrorSink errors)
    {
        int before = errors.ErrorCount;
        var r = new StanzaReader(map, "project", errors);
        string? name = r.String("name");
        bool implied = name is null;
        bool isRegex = name is not null && name.StartsWith('^');
        if (isRegex) ValueReaders.CheckRegex(name!, r.LocationOf("name"), errors);
        var project = new ProjectConfig
        {
            Name = name ?? source.Project,
            NameIsRegex = isRegex,
            NameImplied = implied,
            Templates = r.StringListWithLocations("templates") ?? [],
            Branches = r.Regexes("branches"),
            DefaultBranch = r.Text("default-branch"),
            MergeMode = r.Choice("merge-mode", MergeModes),
            Vars = r.Mapping("vars"),
            Queue = r.String("queue"),
            Description = r.String("description"),
            Pipelines = Sections(map, ProjectAttributes, null, source, errors),
            Location = map.Location,
            Source = source,
        };
        return errors.ErrorCount == before ? project : null;
    }

    /// <summary>Parses a <c>project-template</c> stanza.</summary>
    public static ProjectTemplateConfig? ParseTemplate(YamlMapping map, SourceContext source, ErrorSink errors)
    {
        int before = errors.ErrorCount;
        var r = new StanzaReader(map, "project-template", errors);
        string? name = r.String("name", required: true);
        var template = new ProjectTemplateConfig
        {
            Name = name ?? "",
            Description = r.String("description"),
            Queue = r.String("queue"),
            Vars = r.Mapping("vars"),
            Pipelines = Sections(map, TemplateAttributes, TemplateForbidden, source, errors),
            Location = map.Location,
            Source = source,
        };
        return errors.ErrorCount == before && name is not null ? template : null;
    }

    private static ImmutableArray<ProjectPipelineConfig> Sections(YamlMapping map, HashSet<string> attributes, HashSet<string>? forbidden, SourceContext source, ErrorSink errors)
    {
        var b = ImmutableArray.CreateBuilder<ProjectPipelineConfig>();
        foreach (var e in map.Entries)
        {
            string key = e.KeyText;
            if (attributes.Contains(key)) continue;
            if (forbidden?.Contains(key) == true || e.Key is not YamlScalar { Kind: YamlScalarKind.String })
            {
                errors.Error(ConfigErrorCodes.UnknownAttribute, e.Key.Location, $"unknown project-template attribute '{key}'");
                continue;
            }
            if (ParseSection(key, e, source, errors) is { } section) b.Add(section);
        }
        return b.ToImmutable();
    }

    private static ProjectPipelineConfig? ParseSection(string pipeline, YamlEntry entry, SourceContext source, ErrorSink errors)
    {
        if (entry.Value is YamlScalar { IsNull: true })
        {
            return new ProjectPipelineConfig(pipeline, [], null, null, entry.Key.Location);
        }
        if (entry.Value is not YamlMapping m)
        {
            errors.Error(ConfigErrorCodes.InvalidValue, entry.Value.Location,
                $"project pipeline '{pipeline}' must be a mapping with 'jobs', not {entry.Value.Describe()} (or '{pipeline}' is not a project attribute)");
            return null;
        }
        var r = new StanzaReader(m, $"project pipeline '{pipeline}'", errors);
        r.CheckKeys(PipelineSectionSchema);
        var jobs = ImmutableArray.CreateBuilder<ProjectJobEntry>();
        if (r.Node("jobs") is { } jobsNode and not YamlScalar { IsNull: true })
        {
            if (jobsNode is not YamlSequence seq)
            {
                errors.Error(ConfigErrorCodes.InvalidValue, jobsNode.Location, $"'jobs' of pipeline '{pipeline}' must be a list, not {jobsNode.Describe()}");
            }
            else
            {
                foreach (var item in seq.Items) AddJobEntry(item, source, errors, jobs);
            }
        }
        return new ProjectPipelineConfig(pipeline, jobs.ToImmutable(), r.Bool("debug"), r.Bool("fail-fast"), entry.Key.Location);
    }

    private static void AddJobEntry(YamlNode item, SourceContext source, ErrorSink errors, ImmutableArray<ProjectJobEntry>.Builder into)
    {
        if (item is YamlScalar { Kind: YamlScalarKind.String } s)
        {
            into.Add(new ProjectJobEntry(s.Text, null, s.Location));
            return;
        }
        if (item is YamlMapping { Count: 1 } m && m.Entries[0].Key is YamlScalar { Kind: YamlScalarKind.String } key)
        {
            var value = m.Entries[0].Value;
            if (value is YamlScalar { IsNull: true })
            {
                into.Add(new ProjectJobEntry(key.Text, null, key.Location));
                return;
            }
            if (value is YamlMapping attrs)
            {
                var variant = JobParser.ParseVariant(key.Text, attrs, source, errors);
                if (variant is not null) into.Add(new ProjectJobEntry(key.Text, variant, key.Location));
                return;
            }
        }
        errors.Error(ConfigErrorCodes.InvalidValue, item.Location, $"a project pipeline job must be a job name or {{name: {{attributes}}}}, not {item.Describe()}");
    }
}

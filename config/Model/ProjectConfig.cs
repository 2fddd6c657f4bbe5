using System.Collections.Immutable;
using Gating.Config.Yaml;

namespace Gating.Config.Model;

/// <summary>One entry of a project pipeline's <c>jobs</c> list: a job name, optionally with a local variant.</summary>
/// <param name="Name">The job name.</param>
/// <param name="Variant">The project-pipeline-local variant (<c>{job: {attrs}}</c>), or null for a bare name.</param>
/// <param name="Location">Where the entry is written.</param>
public sealed record ProjectJobEntry(string Name, JobConfig? Variant, SourceLocation Location);

/// <summary>A <c>&lt;pipeline&gt;:</c> section of a project or template.</summary>
public sealed record ProjectPipelineConfig(
    string Pipeline,
    ImmutableArray<ProjectJobEntry> Jobs,
    bool? Debug,
    bool? FailFast,
    SourceLocation Location);

/// <summary>
/// A <c>project</c> stanza. <see cref="Name"/> is the canonical name it applies to after loading (the holding
/// repository when the stanza has no name); <see cref="NameIsRegex"/> for <c>name: ^regex</c> stanzas.
/// </summary>
public sealed record ProjectConfig
{
    /// <summary>Project name, or regex when <see cref="NameIsRegex"/>.</summary>
    public required string Name { get; init; }
    /// <summary>True for <c>name: ^...</c> (config projects only).</summary>
    public bool NameIsRegex { get; init; }
    /// <summary>True when the stanza had no <c>name</c> (it applies to the repository holding it).</summary>
    public bool NameImplied { get; init; }
    /// <summary><c>templates</c>, with the location of each name.</summary>
    public ImmutableArray<(string Name, SourceLocation Location)> Templates { get; init; } = [];
    /// <summary><c>branches</c>: explicit branch matchers for this stanza.</summary>
    public ImmutableArray<RegexMatcher>? Branches { get; init; }
    /// <summary><c>default-branch</c>.</summary>
    public string? DefaultBranch { get; init; }
    /// <summary><c>merge-mode</c>.</summary>
    public string? MergeMode { get; init; }
    /// <summary><c>vars</c>.</summary>
    public YamlMapping? Vars { get; init; }
    /// <summary><c>queue</c>: shared queue name.</summary>
    public string? Queue { get; init; }
    /// <summary><c>description</c>.</summary>
    public string? Description { get; init; }
    /// <summary>Per-pipeline sections, in the order written.</summary>
    public ImmutableArray<ProjectPipelineConfig> Pipelines { get; init; } = [];
    /// <summary>Where the stanza starts.</summary>
    public required SourceLocation Location { get; init; }
    /// <summary>Where it was defined.</summary>
    public required SourceContext Source { get; init; }
}

/// <summary>A <c>project-template</c>: pipeline sections to include in projects.</summary>
public sealed record ProjectTemplateConfig
{
    /// <summary><c>name</c>.</summary>
    public required string Name { get; init; }
    /// <summary><c>description</c>.</summary>
    public string? Description { get; init; }
    /// <summary><c>queue</c>.</summary>
    public string? Queue { get; init; }
    /// <summary><c>vars</c>.</summary>
    public YamlMapping? Vars { get; init; }
    /// <summary>Per-pipeline sections.</summary>
    public ImmutableArray<ProjectPipelineConfig> Pipelines { get; init; } = [];
    /// <summary>Where the stanza starts.</summary>
    public required SourceLocation Location { get; init; }
    /// <summary>Where it was defined.</summary>
    public required SourceContext Source { get; init; }
}

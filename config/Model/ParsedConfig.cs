using System.Collections.Immutable;
using Gating.Config.Errors;

namespace Gating.Config.Model;

/// <summary>
/// The objects parsed from one project branch (all its config files, in load order) with the problems found.
/// Cached per project/branch so a re-layout re-parses only what changed.
/// </summary>
public sealed record ParsedConfig
{
    /// <summary>An empty set of objects.</summary>
    public static readonly ParsedConfig Empty = new();
    /// <summary><c>pipeline</c>s.</summary>
    public ImmutableArray<PipelineConfig> Pipelines { get; init; } = [];
    /// <summary><c>job</c>s.</summary>
    public ImmutableArray<JobConfig> Jobs { get; init; } = [];
    /// <summary><c>project</c>s.</summary>
    public ImmutableArray<ProjectConfig> Projects { get; init; } = [];
    /// <summary><c>project-template</c>s.</summary>
    public ImmutableArray<ProjectTemplateConfig> ProjectTemplates { get; init; } = [];
    /// <summary><c>nodeset</c>s.</summary>
    public ImmutableArray<NodesetConfig> Nodesets { get; init; } = [];
    /// <summary><c>secret</c>s.</summary>
    public ImmutableArray<SecretConfig> Secrets { get; init; } = [];
    /// <summary><c>semaphore</c>s.</summary>
    public ImmutableArray<SemaphoreConfig> Semaphores { get; init; } = [];
    /// <summary><c>queue</c>s.</summary>
    public ImmutableArray<QueueConfig> Queues { get; init; } = [];
    /// <summary>zuul-launcher stanzas, kept as written.</summary>
    public ImmutableArray<LauncherStanza> LauncherStanzas { get; init; } = [];
    /// <summary>Problems found while reading and parsing.</summary>
    public ImmutableArray<ConfigError> Errors { get; init; } = [];
}

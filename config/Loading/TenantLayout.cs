using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Parsing;

namespace Gating.Config.Loading;

/// <summary>
/// The index of a tenant's loaded configuration: every object by name, job variants in load order, project
/// stanzas (exact and regex), plus every problem found. Immutable; freezing and the job graph query it.
/// </summary>
public sealed class TenantLayout
{
    internal TenantLayout(
        TenantConfig tenant,
        ImmutableArray<PipelineConfig> pipelines,
        ImmutableDictionary<string, ImmutableArray<JobConfig>> jobs,
        ImmutableDictionary<string, ImmutableArray<ProjectConfig>> projectStanzas,
        ImmutableArray<ProjectConfig> regexProjectStanzas,
        ImmutableDictionary<string, ImmutableArray<ProjectTemplateConfig>> templates,
        ImmutableDictionary<string, NodesetConfig> nodesets,
        ImmutableDictionary<string, SecretConfig> secrets,
        ImmutableDictionary<string, SemaphoreConfig> semaphores,
        ImmutableDictionary<string, GlobalSemaphoreConfig> globalSemaphores,
        ImmutableDictionary<string, QueueConfig> queues,
        ImmutableDictionary<string, ImmutableArray<string>> projectBranches,
        ImmutableArray<ConfigError> errors,
        ImmutableArray<LoadedBranch> loadedBranches,
        ImmutableArray<ConfigError> loadErrors,
        ImmutableArray<GlobalSemaphoreConfig> allGlobalSemaphores)
    {
        LoadedBranches = loadedBranches;
        LoadErrors = loadErrors;
        AllGlobalSemaphores = allGlobalSemaphores;
        Tenant = tenant;
        Pipelines = pipelines;
        PipelinesByName = pipelines.ToImmutableDictionary(p => p.Name, StringComparer.Ordinal);
        Jobs = jobs;
        ProjectStanzas = projectStanzas;
        RegexProjectStanzas = regexProjectStanzas;
        ProjectTemplates = templates;
        Nodesets = nodesets;
        Secrets = secrets;
        Semaphores = semaphores;
        GlobalSemaphores = globalSemaphores;
        Queues = queues;
        ProjectBranches = projectBranches;
        Errors = errors;
    }

    /// <summary>The tenant.</summary>
    public TenantConfig Tenant { get; }
    /// <summary>Pipelines in load order.</summary>
    public ImmutableArray<PipelineConfig> Pipelines { get; }
    /// <summary>Pipelines by name.</summary>
    public ImmutableDictionary<string, PipelineConfig> PipelinesByName { get; }
    /// <summary>Job name → its variants in load order (config projects first, then untrusted, file order).</summary>
    public ImmutableDictionary<string, ImmutableArray<JobConfig>> Jobs { get; }
    /// <summary>Project name (as the tenant names it) → its project stanzas in load order.</summary>
    public ImmutableDictionary<string, ImmutableArray<ProjectConfig>> ProjectStanzas { get; }
    /// <summary>Stanzas with <c>name: ^regex</c>, in load order.</summary>
    public ImmutableArray<ProjectConfig> RegexProjectStanzas { get; }
    /// <summary>Template name → its definitions (several branches of one project) in load order.</summary>
    public ImmutableDictionary<string, ImmutableArray<ProjectTemplateConfig>> ProjectTemplates { get; }
    /// <summary>Named nodesets.</summary>
    public ImmutableDictionary<string, NodesetConfig> Nodesets { get; }
    /// <summary>Secrets.</summary>
    public ImmutableDictionary<string, SecretConfig> Secrets { get; }
    /// <summary>Semaphores defined in the tenant's projects.</summary>
    public ImmutableDictionary<string, SemaphoreConfig> Semaphores { get; }
    /// <summary>Global semaphores the tenant uses (tenant <c>semaphores</c>).</summary>
    public ImmutableDictionary<string, GlobalSemaphoreConfig> GlobalSemaphores { get; }
    /// <summary>Queues.</summary>
    public ImmutableDictionary<string, QueueConfig> Queues { get; }
    /// <summary>Project name → the branches whose configuration was loaded.</summary>
    public ImmutableDictionary<string, ImmutableArray<string>> ProjectBranches { get; }
    /// <summary>Every problem found, in load order.</summary>
    public ImmutableArray<ConfigError> Errors { get; }
    /// <summary>The parsed project branches the layout was built from, in load order (for re-layout).</summary>
    public ImmutableArray<LoadedBranch> LoadedBranches { get; }
    /// <summary>Problems found before parsing (tenant file, missing repositories).</summary>
    public ImmutableArray<ConfigError> LoadErrors { get; }
    /// <summary>Every global semaphore of the tenant file (for re-layout).</summary>
    public ImmutableArray<GlobalSemaphoreConfig> AllGlobalSemaphores { get; }

    /// <summary>The variants of job <paramref name="name"/> in load order (empty when undefined).</summary>
    public ImmutableArray<JobConfig> GetJobVariants(string name) => Jobs.TryGetValue(name, out var v) ? v : [];

    /// <summary>The definitions of a template in load order (empty when undefined).</summary>
    public ImmutableArray<ProjectTemplateConfig> GetProjectTemplates(string name) => ProjectTemplates.TryGetValue(name, out var v) ? v : [];

    /// <summary>
    /// Every project stanza that names <paramref name="project"/> (exactly, with or without host, or by a
    /// matching regex), in load order (project order, then branch, file, line).
    /// </summary>
    public ImmutableArray<ProjectConfig> GetProjectStanzas(string project)
    {
        var result = new List<ProjectConfig>();
        if (ProjectStanzas.TryGetValue(project, out var exact)) result.AddRange(exact);
        string shortName = ProjectNames.WithoutHost(project);
        if (shortName != project && ProjectStanzas.TryGetValue(shortName, out var byShort)) result.AddRange(byShort);
        foreach (var p in RegexProjectStanzas)
        {
            if (new RegexMatcher(p.Name, false, p.Location).Matches(project)) result.Add(p);
        }
        if (result.Count > 1)
        {
            result.Sort(static (a, b) =>
            {
                int c = a.Source.ProjectIndex.CompareTo(b.Source.ProjectIndex);
                if (c == 0) c = string.CompareOrdinal(a.Source.Branch, b.Source.Branch);
                if (c == 0) c = string.CompareOrdinal(a.Source.Path, b.Source.Path);
                return c != 0 ? c : a.Location.Line.CompareTo(b.Location.Line);
            });
        }
        return [.. result];
    }

    /// <summary>A pipeline by name, or null.</summary>
    public PipelineConfig? GetPipeline(string name) => PipelinesByName.GetValueOrDefault(name);

    /// <summary>A nodeset by name, or null.</summary>
    public NodesetConfig? GetNodeset(string name) => Nodesets.GetValueOrDefault(name);

    /// <summary>A secret by name, or null.</summary>
    public SecretConfig? GetSecret(string name) => Secrets.GetValueOrDefault(name);

    /// <summary>The max of a semaphore: defined, global, or implicit (1).</summary>
    public int GetSemaphoreMax(string name) =>
        Semaphores.TryGetValue(name, out var s) ? s.Max : GlobalSemaphores.TryGetValue(name, out var g) ? g.Max : 1;
}

using System.Collections.Immutable;
using Gating.Config.Loading;
using Gating.Config.Model;

namespace Gating.Config.Freezing;

/// <summary>
/// What freezing reads from a loaded <see cref="TenantLayout"/>: job variants in load order, nodesets, secrets,
/// templates, project stanzas, pipelines, the tenant's limits, trust and branches. Immutable; make it once per
/// layout and freeze any number of jobs against it.
/// </summary>
/// <remarks>The namespace is <c>Gating.Config.Freezing</c> (folder <c>config/Layout</c>) so it never shadows a
/// <c>Layout</c> name elsewhere in <c>Gating.Config</c>.</remarks>
public sealed class FreezeLayout
{
    private readonly ImmutableDictionary<string, ImmutableHashSet<string>> _branches;
    private readonly ImmutableHashSet<string> _projects;

    private FreezeLayout(TenantLayout layout)
    {
        Source = layout;
        _branches = layout.ProjectBranches.ToImmutableDictionary(p => p.Key, p => p.Value.ToImmutableHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        _projects = layout.Tenant.ProjectsInLoadOrder.Select(p => p.Name).ToImmutableHashSet(StringComparer.Ordinal);
    }

    /// <summary>The layout this reads.</summary>
    public TenantLayout Source { get; }

    /// <summary>The tenant: limits, default parent, default Ansible version, allowed labels.</summary>
    public TenantConfig Tenant => Source.Tenant;

    /// <summary>Named nodesets.</summary>
    public ImmutableDictionary<string, NodesetConfig> Nodesets => Source.Nodesets;

    /// <summary>Secrets by name.</summary>
    public ImmutableDictionary<string, SecretConfig> Secrets => Source.Secrets;

    /// <summary>Pipelines by name.</summary>
    public ImmutableDictionary<string, PipelineConfig> Pipelines => Source.PipelinesByName;

    /// <summary>Wraps a loaded layout.</summary>
    public static FreezeLayout From(TenantLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return new FreezeLayout(layout);
    }

    /// <summary>The variants of <paramref name="name"/> in load order (empty when no such job).</summary>
    public ImmutableArray<JobConfig> VariantsOf(string name) => Source.GetJobVariants(name);

    /// <summary>The definitions of a template in load order.</summary>
    public ImmutableArray<ProjectTemplateConfig> TemplatesOf(string name) => Source.GetProjectTemplates(name);

    /// <summary>Every project stanza that applies to <paramref name="project"/>, in load order.</summary>
    public ImmutableArray<ProjectConfig> StanzasOf(string project) => Source.GetProjectStanzas(project);

    /// <summary>True when configuration of <paramref name="project"/> was loaded from <paramref name="branch"/>.</summary>
    public bool HasBranch(string project, string branch) => _branches.TryGetValue(project, out var set) && set.Contains(branch);

    /// <summary>True when the tenant names <paramref name="project"/> (or names no projects at all).</summary>
    public bool IsKnownProject(string project) => _projects.IsEmpty || _projects.Contains(project);
}

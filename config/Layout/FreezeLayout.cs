using System.Collections.Immutable;
using Gating.Config.Model;

namespace Gating.Config.Freezing;

/// <summary>
/// The parts of a loaded layout that freezing reads, indexed once: job variants by name in load order, nodesets,
/// secrets, templates, project stanzas (regex-named ones first, as Zuul adds them), pipelines and tenant limits.
/// Immutable; build it once per layout and freeze any number of jobs against it.
/// </summary>
/// <remarks>The namespace is <c>Gating.Config.Freezing</c> (folder <c>config/Layout</c>) so it never shadows a
/// <c>Layout</c> type elsewhere in <c>Gating.Config</c>.</remarks>
public sealed class FreezeLayout
{
    private FreezeLayout(
        TenantConfig tenant,
        ImmutableDictionary<string, ImmutableArray<JobConfig>> jobs,
        ImmutableDictionary<string, NodesetConfig> nodesets,
        ImmutableDictionary<string, SecretConfig> secrets,
        ImmutableDictionary<string, ImmutableArray<ProjectTemplateConfig>> templates,
        ImmutableArray<ProjectConfig> projects,
        ImmutableDictionary<string, PipelineConfig> pipelines,
        ImmutableDictionary<string, ImmutableHashSet<string>> projectBranches,
        ImmutableHashSet<string> trustedProjects,
        ImmutableArray<string> knownProjects)
    {
        Tenant = tenant;
        Jobs = jobs;
        Nodesets = nodesets;
        Secrets = secrets;
        Templates = templates;
        Projects = projects;
        Pipelines = pipelines;
        ProjectBranches = projectBranches;
        TrustedProjects = trustedProjects;
        KnownProjects = knownProjects;
    }

    /// <summary>The tenant: limits, default parent, default Ansible version, allowed labels.</summary>
    public TenantConfig Tenant { get; }

    /// <summary>Every variant of every job, by name, in load order (config projects first).</summary>
    public ImmutableDictionary<string, ImmutableArray<JobConfig>> Jobs { get; }

    /// <summary>Named nodesets (first definition wins; the loader reports differing duplicates).</summary>
    public ImmutableDictionary<string, NodesetConfig> Nodesets { get; }

    /// <summary>Secrets by name.</summary>
    public ImmutableDictionary<string, SecretConfig> Secrets { get; }

    /// <summary>Project templates by name: one per branch/project that defines it, in load order.</summary>
    public ImmutableDictionary<string, ImmutableArray<ProjectTemplateConfig>> Templates { get; }

    /// <summary>Project stanzas: every regex-named stanza (load order), then every named one (load order).</summary>
    public ImmutableArray<ProjectConfig> Projects { get; }

    /// <summary>Pipelines by name.</summary>
    public ImmutableDictionary<string, PipelineConfig> Pipelines { get; }

    /// <summary>The branches configuration was loaded from, per project (for override-checkout).</summary>
    public ImmutableDictionary<string, ImmutableHashSet<string>> ProjectBranches { get; }

    /// <summary>Config projects of the tenant.</summary>
    public ImmutableHashSet<string> TrustedProjects { get; }

    /// <summary>Every project the tenant names (empty when unknown: then any name is accepted).</summary>
    public ImmutableArray<string> KnownProjects { get; }

    /// <summary>
    /// Indexes parsed configuration. <paramref name="configs"/> must be in the tenant's load order (config projects
    /// first, then untrusted projects, each project's branches in order), as the loader produces it.
    /// </summary>
    public static FreezeLayout Build(TenantConfig tenant, IEnumerable<ParsedConfig> configs)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(configs);
        var jobs = new Dictionary<string, ImmutableArray<JobConfig>.Builder>(StringComparer.Ordinal);
        var nodesets = ImmutableDictionary.CreateBuilder<string, NodesetConfig>(StringComparer.Ordinal);
        var secrets = ImmutableDictionary.CreateBuilder<string, SecretConfig>(StringComparer.Ordinal);
        var templates = new Dictionary<string, ImmutableArray<ProjectTemplateConfig>.Builder>(StringComparer.Ordinal);
        var regexProjects = ImmutableArray.CreateBuilder<ProjectConfig>();
        var namedProjects = ImmutableArray.CreateBuilder<ProjectConfig>();
        var pipelines = ImmutableDictionary.CreateBuilder<string, PipelineConfig>(StringComparer.Ordinal);
        var branches = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var config in configs)
        {
            foreach (var job in config.Jobs)
            {
                if (!jobs.TryGetValue(job.Name, out var list))
                {
                    jobs[job.Name] = list = ImmutableArray.CreateBuilder<JobConfig>();
                }
                list.Add(job);
                NoteBranch(branches, job.Source);
            }
            foreach (var nodeset in config.Nodesets)
            {
                if (nodeset.Name is { } name)
                {
                    nodesets.TryAdd(name, nodeset);
                }
            }
            foreach (var secret in config.Secrets)
            {
                secrets.TryAdd(secret.Name, secret);
            }
            foreach (var template in config.ProjectTemplates)
            {
                if (!templates.TryGetValue(template.Name, out var list))
                {
                    templates[template.Name] = list = ImmutableArray.CreateBuilder<ProjectTemplateConfig>();
                }
                list.Add(template);
            }
            foreach (var project in config.Projects)
            {
                (project.NameIsRegex ? regexProjects : namedProjects).Add(project);
                NoteBranch(branches, project.Source);
            }
            foreach (var pipeline in config.Pipelines)
            {
                pipelines.TryAdd(pipeline.Name, pipeline);
            }
        }
        var loadOrder = tenant.ProjectsInLoadOrder;
        return new FreezeLayout(
            tenant,
            jobs.ToImmutableDictionary(p => p.Key, p => p.Value.ToImmutable(), StringComparer.Ordinal),
            nodesets.ToImmutable(),
            secrets.ToImmutable(),
            templates.ToImmutableDictionary(p => p.Key, p => p.Value.ToImmutable(), StringComparer.Ordinal),
            [.. regexProjects, .. namedProjects],
            pipelines.ToImmutable(),
            branches.ToImmutableDictionary(p => p.Key, p => p.Value.ToImmutableHashSet(StringComparer.Ordinal), StringComparer.Ordinal),
            loadOrder.Where(p => p.Trusted).Select(p => p.Name).ToImmutableHashSet(StringComparer.Ordinal),
            [.. loadOrder.Select(p => p.Name)]);
    }

    /// <summary>The variants of <paramref name="name"/> in load order (empty when no such job).</summary>
    public ImmutableArray<JobConfig> VariantsOf(string name) => Jobs.TryGetValue(name, out var v) ? v : [];

    /// <summary>True when the tenant names <paramref name="project"/> (or when the tenant's projects are unknown).</summary>
    public bool IsKnownProject(string project) => KnownProjects.IsEmpty || KnownProjects.Contains(project);

    /// <summary>
    /// True when a project stanza named <paramref name="stanzaName"/> applies to <paramref name="project"/>:
    /// the same name, or the canonical <c>hostname/name</c> form.
    /// </summary>
    public static bool ProjectNameMatches(string stanzaName, string project)
    {
        if (string.Equals(stanzaName, project, StringComparison.Ordinal))
        {
            return true;
        }
        if (stanzaName.Length > project.Length + 1 &&
            stanzaName.EndsWith(project, StringComparison.Ordinal) &&
            stanzaName[stanzaName.Length - project.Length - 1] == '/')
        {
            var host = stanzaName[..(stanzaName.Length - project.Length - 1)];
            return !host.Contains('/', StringComparison.Ordinal);
        }
        return false;
    }

    private static void NoteBranch(Dictionary<string, HashSet<string>> branches, SourceContext source)
    {
        if (!branches.TryGetValue(source.Project, out var set))
        {
            branches[source.Project] = set = new HashSet<string>(StringComparer.Ordinal);
        }
        set.Add(source.Branch);
    }
}

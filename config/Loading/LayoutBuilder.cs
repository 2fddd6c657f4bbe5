using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Parsing;
using Gating.Config.Yaml;

namespace Gating.Config.Loading;

/// <summary>The parsed objects of one project branch, in the tenant's load order.</summary>
/// <param name="Project">The tenant's entry for the project.</param>
/// <param name="Branch">The branch.</param>
/// <param name="Config">Objects and problems of that branch.</param>
public sealed record LoadedBranch(TenantProjectConfig Project, string Branch, ParsedConfig Config);

/// <summary>
/// Builds the <see cref="TenantLayout"/> index from parsed project branches (pure; no I/O), applying Zuul's
/// layout rules (one project per job name unless shadowed, duplicate definitions) and then reporting every
/// reference that does not resolve. Cheap enough to rerun after one project changes.
/// </summary>
public sealed partial class LayoutBuilder
{
    private readonly TenantConfig _tenant;
    private readonly List<ConfigError> _errors = [];
    private readonly List<PipelineConfig> _pipelines = [];
    private readonly Dictionary<string, PipelineConfig> _pipelinesByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<JobConfig>> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<ProjectConfig>> _projects = new(StringComparer.Ordinal);
    private readonly List<ProjectConfig> _regexProjects = [];
    private readonly Dictionary<string, List<ProjectTemplateConfig>> _templates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodesetConfig> _nodesets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SecretConfig> _secrets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SemaphoreConfig> _semaphores = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueueConfig> _queues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _branches = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TenantProjectConfig> _tenantProjects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _shortNames = new(StringComparer.Ordinal);

    private LayoutBuilder(TenantConfig tenant) => _tenant = tenant;

    /// <summary>Builds the layout; <paramref name="leadingErrors"/> (tenant file, missing repositories) come first.</summary>
    public static TenantLayout Build(
        TenantConfig tenant,
        IEnumerable<LoadedBranch> branches,
        IEnumerable<GlobalSemaphoreConfig>? globalSemaphores = null,
        IEnumerable<ConfigError>? leadingErrors = null)
    {
        var b = new LayoutBuilder(tenant);
        ImmutableArray<ConfigError> leading = [.. leadingErrors ?? []];
        ImmutableArray<GlobalSemaphoreConfig> allGlobals = [.. globalSemaphores ?? []];
        b._errors.AddRange(leading);
        foreach (var p in tenant.ProjectsInLoadOrder)
        {
            b._tenantProjects.TryAdd(p.Name, p);
            b._shortNames.TryAdd(ProjectNames.WithoutHost(p.Name), p.Name);
        }
        var list = branches as IReadOnlyList<LoadedBranch> ?? [.. branches];
        foreach (var lb in list)
        {
            b._errors.AddRange(lb.Config.Errors);
            if (!b._branches.TryGetValue(lb.Project.Name, out var bl)) b._branches[lb.Project.Name] = bl = [];
            if (!bl.Contains(lb.Branch)) bl.Add(lb.Branch);
        }
        // Zuul adds objects kind by kind across all projects: pipelines, nodesets, secrets, jobs, semaphores,
        // queues, templates, projects. The order decides which definition of a duplicate is reported.
        foreach (var lb in list) foreach (var p in lb.Config.Pipelines) b.AddPipeline(p);
        foreach (var lb in list) foreach (var n in lb.Config.Nodesets) b.AddUnique(b._nodesets, n.Name!, n, n.Source, n.Location, "nodeset");
        foreach (var lb in list) foreach (var s in lb.Config.Secrets) b.AddUnique(b._secrets, s.Name, s, s.Source, s.Location, "secret");
        foreach (var lb in list) foreach (var j in lb.Config.Jobs) b.AddJob(j, lb.Project);
        foreach (var lb in list) foreach (var s in lb.Config.Semaphores) b.AddUnique(b._semaphores, s.Name, s, s.Source, s.Location, "semaphore");
        foreach (var lb in list) foreach (var q in lb.Config.Queues) b.AddUnique(b._queues, q.Name, q, q.Source, q.Location, "queue");
        foreach (var lb in list) foreach (var t in lb.Config.ProjectTemplates) b.AddTemplate(t);
        foreach (var lb in list) foreach (var p in lb.Config.Projects) b.AddProject(p);
        var globals = allGlobals.Where(g => tenant.Semaphores.Contains(g.Name))
            .GroupBy(g => g.Name, StringComparer.Ordinal).ToImmutableDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        b.CheckReferences(globals);
        return new TenantLayout(
            tenant,
            [.. b._pipelines],
            b._jobs.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.ToImmutableArray(), StringComparer.Ordinal),
            b._projects.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.ToImmutableArray(), StringComparer.Ordinal),
            [.. b._regexProjects],
            b._templates.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.ToImmutableArray(), StringComparer.Ordinal),
            b._nodesets.ToImmutableDictionary(StringComparer.Ordinal),
            b._secrets.ToImmutableDictionary(StringComparer.Ordinal),
            b._semaphores.ToImmutableDictionary(StringComparer.Ordinal),
            globals,
            b._queues.ToImmutableDictionary(StringComparer.Ordinal),
            b._branches.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.ToImmutableArray(), StringComparer.Ordinal),
            [.. b._errors],
            [.. list],
            leading,
            allGlobals);
    }

    private void Error(string code, SourceLocation at, SourceContext source, string message, ConfigSeverity severity = ConfigSeverity.Error) =>
        _errors.Add(new ConfigError(code, severity, message, at.File, at.Line, at.Column, source.Project, source.Branch));

    private void AddPipeline(PipelineConfig p)
    {
        if (_pipelinesByName.TryGetValue(p.Name, out var prior))
        {
            Error(ConfigErrorCodes.DuplicateDefinition, p.Location, p.Source, $"pipeline '{p.Name}' is already defined at {prior.Location}");
            return;
        }
        _pipelinesByName[p.Name] = p;
        _pipelines.Add(p);
    }

    // Same project (another branch): the first definition stands. Another project: an error, as in Zuul.
    private void AddUnique<T>(Dictionary<string, T> into, string name, T item, SourceContext source, SourceLocation at, string what)
        where T : class
    {
        if (into.TryGetValue(name, out var prior))
        {
            var priorSource = prior switch
            {
                NodesetConfig n => n.Source,
                SecretConfig s => s.Source,
                SemaphoreConfig s => s.Source,
                QueueConfig q => q.Source,
                _ => source,
            };
            if (priorSource.Project != source.Project || priorSource.Branch == source.Branch)
            {
                Error(ConfigErrorCodes.DuplicateDefinition, at, source, $"{what} '{name}' is already defined in {priorSource.Project} ({priorSource.Path})");
            }
            return;
        }
        into[name] = item;
    }

    private void AddJob(JobConfig job, TenantProjectConfig project)
    {
        if (_jobs.TryGetValue(job.Name, out var variants))
        {
            var first = variants[0].Source;
            if (first.Project != job.Source.Project)
            {
                if (project.Shadow.Any(s => ProjectNames.Same(s, first.Project)))
                {
                    return; // the earlier project's definition wins (shadow)
                }
                Error(ConfigErrorCodes.JobDefinedInMultipleProjects, job.Location, job.Source,
                    $"job '{job.Name}' is already defined in project {first.Project} ({first.Path}); a job may be defined in one project only unless that project is in this one's 'shadow' list");
                return;
            }
            variants.Add(job);
            return;
        }
        _jobs[job.Name] = [job];
    }

    private void AddTemplate(ProjectTemplateConfig t)
    {
        if (_templates.TryGetValue(t.Name, out var list))
        {
            if (list[0].Source.Project != t.Source.Project)
            {
                Error(ConfigErrorCodes.DuplicateDefinition, t.Location, t.Source, $"project-template '{t.Name}' is already defined in project {list[0].Source.Project}");
                return;
            }
            list.Add(t);
            return;
        }
        _templates[t.Name] = [t];
    }

    private void AddProject(ProjectConfig p)
    {
        if (p.NameIsRegex)
        {
            _regexProjects.Add(p);
            return;
        }
        string name = ResolveProjectName(p.Name);
        if (!_projects.TryGetValue(name, out var list)) _projects[name] = list = [];
        list.Add(p);
    }

    /// <summary>The tenant's name for a project written with or without host; unknown names stay as written.</summary>
    private string ResolveProjectName(string name)
    {
        if (_tenantProjects.ContainsKey(name)) return name;
        return _shortNames.TryGetValue(ProjectNames.WithoutHost(name), out var full) ? full : name;
    }
}

using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Yaml;

namespace Gating.Config.Parsing;

/// <summary>What the loader knows about the project branch a file comes from.</summary>
/// <param name="Project">The tenant's entry for the project (trust, include/exclude, options).</param>
/// <param name="Branch">The branch read.</param>
/// <param name="ProjectHasManyBranches">True when the project loads more than one branch (implied matchers).</param>
/// <param name="ProjectIndex">Position of the project in the tenant's load order.</param>
public sealed record BranchContext(TenantProjectConfig Project, string Branch, bool ProjectHasManyBranches, int ProjectIndex);

/// <summary>
/// Turns one config file (a top-level list of single-key mappings) into configuration objects, honouring the
/// project's include/exclude lists, which kinds it may define, and the file's <c>pragma</c>. One bad stanza is
/// reported and skipped; the rest of the file loads.
/// </summary>
public sealed class ConfigFileParser
{
    private readonly BranchContext _context;
    private readonly ErrorSink _errors;
    private readonly List<PipelineConfig> _pipelines = [];
    private readonly List<JobConfig> _jobs = [];
    private readonly List<ProjectConfig> _projects = [];
    private readonly List<ProjectTemplateConfig> _templates = [];
    private readonly List<NodesetConfig> _nodesets = [];
    private readonly List<SecretConfig> _secrets = [];
    private readonly List<SemaphoreConfig> _semaphores = [];
    private readonly List<QueueConfig> _queues = [];
    private readonly List<LauncherStanza> _launcher = [];

    /// <summary>Creates a parser that accumulates the objects of one project branch.</summary>
    public ConfigFileParser(BranchContext context, ErrorSink errors)
    {
        _context = context;
        _errors = errors;
    }

    /// <summary>Parses one file's text.</summary>
    public void AddFile(string path, string text)
    {
        YamlDocument doc;
        try
        {
            doc = YamlDocumentReader.Read(text, path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _errors.Error(ConfigErrorCodes.InternalError, SourceLocation.OfFile(path), $"reading the YAML failed: {e.Message}");
            return;
        }
        foreach (var error in doc.Errors) _errors.Add(error);
        if (doc.Root is null || doc.Root is YamlScalar { IsNull: true }) return;
        if (doc.Root is not YamlSequence top)
        {
            _errors.Error(ConfigErrorCodes.InvalidStructure, doc.Root.Location, $"a config file must be a list of stanzas, not {doc.Root.Describe()}");
            return;
        }
        var source = MakeSource(path, top, doc.BadTopLevelItems);
        for (int i = 0; i < top.Items.Length; i++)
        {
            if (doc.BadTopLevelItems.Contains(i)) continue;
            try
            {
                AddStanza(top.Items[i], source);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _errors.Error(ConfigErrorCodes.InternalError, top.Items[i].Location, $"unexpected failure parsing this stanza: {e.Message}");
            }
        }
    }

    /// <summary>The objects parsed so far, with every problem.</summary>
    public ParsedConfig Build() => new()
    {
        Pipelines = [.. _pipelines],
        Jobs = [.. _jobs],
        Projects = [.. _projects],
        ProjectTemplates = [.. _templates],
        Nodesets = [.. _nodesets],
        Secrets = [.. _secrets],
        Semaphores = [.. _semaphores],
        Queues = [.. _queues],
        LauncherStanzas = [.. _launcher],
        Errors = [.. _errors.All],
    };

    // Zuul applies a file's pragma to the whole file, wherever it appears, so it is read first.
    private SourceContext MakeSource(string path, YamlSequence top, ImmutableHashSet<int> bad)
    {
        PragmaConfig? pragma = null;
        for (int i = 0; i < top.Items.Length; i++)
        {
            if (bad.Contains(i)) continue;
            if (top.Items[i] is YamlMapping { Count: 1 } m && m.Entries[0].KeyText == "pragma")
            {
                if (m.Entries[0].Value is YamlMapping body) pragma = SmallStanzaParsers.ParsePragma(body, _errors) ?? pragma;
                else _errors.Error(ConfigErrorCodes.InvalidValue, m.Entries[0].Value.Location, "pragma must be a mapping");
            }
        }
        var project = _context.Project;
        bool implied = project.ImpliedBranchMatchers ?? (!project.Trusted && _context.ProjectHasManyBranches);
        if (pragma?.ImpliedBranchMatchers is { } p) implied = p;
        ImmutableArray<RegexMatcher> branches = [];
        if (pragma?.ImpliedBranches is { } list && pragma.ImpliedBranchMatchers != false)
        {
            branches = [.. list.Select(m => m with { FullMatch = true })];
        }
        else if (implied)
        {
            branches = [RegexMatcher.Exact(_context.Branch, SourceLocation.OfFile(path))];
        }
        return new SourceContext(project.Name, _context.Branch, path, project.Trusted, branches, _context.ProjectIndex);
    }

    private void AddStanza(YamlNode item, SourceContext source)
    {
        if (item is not YamlMapping { Count: 1 } m || m.Entries[0].Key is not YamlScalar { Kind: YamlScalarKind.String } keyNode)
        {
            _errors.Error(ConfigErrorCodes.InvalidStructure, item.Location, "each list item must be a mapping with exactly one key, the object kind (job, project, ...)");
            return;
        }
        string key = keyNode.Text;
        var value = m.Entries[0].Value;
        var kind = ConfigObjectKinds.Parse(key);
        if (kind is null)
        {
            _errors.Error(ConfigErrorCodes.UnknownStanza, keyNode.Location, $"unknown configuration object '{key}'");
            return;
        }
        if (kind == ConfigObjectKind.Pragma) return; // already applied to the file
        if (value is not YamlMapping body)
        {
            _errors.Error(ConfigErrorCodes.InvalidValue, value.Location, $"'{key}' must be a mapping, not {value.Describe()}");
            return;
        }
        var project = _context.Project;
        if (!project.Loads(kind.Value)) return;
        switch (kind.Value)
        {
            case ConfigObjectKind.Pipeline:
                if (!project.Trusted)
                {
                    _errors.Error(ConfigErrorCodes.NotAllowed, keyNode.Location, "pipelines may only be defined in config projects");
                    return;
                }
                Add(_pipelines, PipelineParser.Parse(body, source, _errors));
                break;
            case ConfigObjectKind.Job:
                var job = JobParser.Parse(body, source, _errors);
                if (job is { IsBaseJob: true } && !project.Trusted && project.AllowBaseJobs != true)
                {
                    _errors.Error(ConfigErrorCodes.NotAllowed, job.ParentLocation ?? job.Location, $"job '{job.Name}': base jobs (parent: null) may only be defined in config projects");
                    return;
                }
                Add(_jobs, job);
                break;
            case ConfigObjectKind.Project:
                var p = ProjectParser.Parse(body, source, _errors);
                if (p is not null && !project.Trusted && !MayConfigure(p, project))
                {
                    _errors.Error(ConfigErrorCodes.NotAllowed, p.Location,
                        p.NameIsRegex ? "regex project names may only be used in config projects"
                                      : $"project '{project.Name}' may not configure project '{p.Name}'");
                    return;
                }
                Add(_projects, p);
                break;
            case ConfigObjectKind.ProjectTemplate:
                Add(_templates, ProjectParser.ParseTemplate(body, source, _errors));
                break;
            case ConfigObjectKind.Nodeset:
                Add(_nodesets, NodesetParser.Parse(body, source, _errors));
                break;
            case ConfigObjectKind.Secret:
                Add(_secrets, SmallStanzaParsers.ParseSecret(body, source, _errors));
                break;
            case ConfigObjectKind.Semaphore:
                Add(_semaphores, SmallStanzaParsers.ParseSemaphore(body, source, _errors));
                break;
            case ConfigObjectKind.Queue:
                Add(_queues, SmallStanzaParsers.ParseQueue(body, source, _errors));
                break;
            case ConfigObjectKind.Launcher:
                _errors.Warning(ConfigErrorCodes.UnsupportedStanza, keyNode.Location, $"'{key}' (zuul-launcher) is newer than what Gating implements; accepted and ignored");
                _launcher.Add(new LauncherStanza(key, (body.Get("name") as YamlScalar)?.Text, body, body.Location, source));
                break;
        }
    }

    private static bool MayConfigure(ProjectConfig p, TenantProjectConfig project)
    {
        if (p.NameIsRegex) return false;
        if (p.NameImplied || ProjectNames.Same(p.Name, project.Name)) return true;
        foreach (var matcher in project.ConfigureProjects)
        {
            if (matcher.Matches(p.Name)) return true;
        }
        return false;
    }

    private static void Add<T>(List<T> list, T? item) where T : class
    {
        if (item is not null) list.Add(item);
    }
}

/// <summary>Project name comparisons: a name may be written with or without its host (<c>opendev.org/zuul/zuul</c>).</summary>
public static class ProjectNames
{
    /// <summary>The name without a leading hostname component (one containing a dot).</summary>
    public static string WithoutHost(string name)
    {
        int slash = name.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && name.AsSpan(0, slash).Contains('.') ? name[(slash + 1)..] : name;
    }

    /// <summary>True when both names denote the same project.</summary>
    public static bool Same(string a, string b) =>
        string.Equals(a, b, StringComparison.Ordinal) || string.Equals(WithoutHost(a), WithoutHost(b), StringComparison.Ordinal);
}

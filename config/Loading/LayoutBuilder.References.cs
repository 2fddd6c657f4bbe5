using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Config.Model;

namespace Gating.Config.Loading;

/// <summary>Reports references that do not resolve: parents, nodesets, secrets, semaphores, templates, pipelines, jobs.</summary>
public sealed partial class LayoutBuilder
{
    private void CheckReferences(ImmutableDictionary<string, GlobalSemaphoreConfig> globals)
    {
        foreach (var p in _pipelines)
        {
            foreach (var (name, at) in p.Supercedes)
            {
                if (!_pipelinesByName.ContainsKey(name))
                {
                    Error(ConfigErrorCodes.UnknownPipeline, at, p.Source, $"pipeline '{p.Name}' supercedes pipeline '{name}', which is not defined");
                }
            }
        }
        foreach (var n in _nodesets.Values) CheckNodesetAlternatives(n);
        foreach (var variants in _jobs.Values)
        {
            foreach (var job in variants) CheckJob(job, globals, isProjectVariant: false);
        }
        foreach (var list in _templates.Values)
        {
            foreach (var t in list) CheckPipelineSections(t.Pipelines, t.Source, globals);
        }
        foreach (var list in _projects.Values)
        {
            foreach (var p in list) CheckProject(p, globals);
        }
        foreach (var p in _regexProjects) CheckProject(p, globals);
    }

    private void CheckProject(ProjectConfig p, ImmutableDictionary<string, GlobalSemaphoreConfig> globals)
    {
        foreach (var (name, at) in p.Templates)
        {
            if (!_templates.ContainsKey(name))
            {
                Error(ConfigErrorCodes.UnknownTemplate, at, p.Source, $"project '{p.Name}' uses project-template '{name}', which is not defined");
            }
        }
        CheckPipelineSections(p.Pipelines, p.Source, globals);
    }

    private void CheckPipelineSections(ImmutableArray<ProjectPipelineConfig> sections, SourceContext source, ImmutableDictionary<string, GlobalSemaphoreConfig> globals)
    {
        foreach (var section in sections)
        {
            if (!_pipelinesByName.ContainsKey(section.Pipeline))
            {
                Error(ConfigErrorCodes.UnknownPipeline, section.Location, source, $"pipeline '{section.Pipeline}' is not defined (or '{section.Pipeline}' is not a project attribute)");
            }
            foreach (var entry in section.Jobs)
            {
                if (!_jobs.ContainsKey(entry.Name))
                {
                    Error(ConfigErrorCodes.UnknownJob, entry.Location, source, $"job '{entry.Name}' in pipeline '{section.Pipeline}' is not defined");
                }
                if (entry.Variant is { } variant) CheckJob(variant, globals, isProjectVariant: true);
            }
        }
    }

    private void CheckJob(JobConfig job, ImmutableDictionary<string, GlobalSemaphoreConfig> globals, bool isProjectVariant)
    {
        if (!isProjectVariant && job.Parent is { } parent && !_jobs.ContainsKey(parent))
        {
            Error(ConfigErrorCodes.UnknownParent, job.ParentLocation ?? job.Location, job.Source, $"job '{job.Name}': parent job '{parent}' is not defined");
        }
        if (job.Nodeset is { } ns) CheckNodesetRef(ns, job.Source, $"job '{job.Name}'");
        if (job.Secrets is { } secrets)
        {
            foreach (var use in secrets)
            {
                if (!_secrets.TryGetValue(use.Secret, out var secret))
                {
                    Error(ConfigErrorCodes.UnknownSecret, use.Location, job.Source, $"job '{job.Name}' uses secret '{use.Secret}', which is not defined");
                }
                else if (secret.Source.Project != job.Source.Project)
                {
                    Error(ConfigErrorCodes.SecretNotInProject, use.Location, job.Source,
                        $"job '{job.Name}' may not use secret '{use.Secret}': secrets must be defined in the same project that uses them ({secret.Source.Project})");
                }
            }
        }
        if (job.Semaphores is { } sems)
        {
            foreach (var s in sems) CheckSemaphore(s.Name, s.Location, job, globals);
        }
        foreach (var playbooks in new[] { job.PreRun, job.Run, job.PostRun, job.CleanupRun })
        {
            if (playbooks is not { } list) continue;
            foreach (var pb in list)
            {
                foreach (var s in pb.Semaphores) CheckSemaphore(s, pb.Location, job, globals);
            }
        }
    }

    // Zuul turns an undefined semaphore into an implicit one with max 1, so this is a warning.
    private void CheckSemaphore(string name, Yaml.SourceLocation at, JobConfig job, ImmutableDictionary<string, GlobalSemaphoreConfig> globals)
    {
        if (!_semaphores.ContainsKey(name) && !globals.ContainsKey(name))
        {
            Error(ConfigErrorCodes.UnknownSemaphore, at, job.Source, $"job '{job.Name}' uses semaphore '{name}', which is not defined (an implicit semaphore with max 1 is used)", ConfigSeverity.Warning);
        }
    }

    private void CheckNodesetRef(NodesetRef reference, SourceContext source, string user)
    {
        if (reference.Name is { } name)
        {
            if (!_nodesets.ContainsKey(name))
            {
                Error(ConfigErrorCodes.UnknownNodeset, reference.Location, source, $"{user} uses nodeset '{name}', which is not defined");
            }
        }
        else if (reference.Inline is { } inline)
        {
            CheckNodesetAlternatives(inline);
        }
    }

    private void CheckNodesetAlternatives(NodesetConfig n)
    {
        foreach (var alt in n.Alternatives) CheckNodesetRef(alt, n.Source, n.Name is null ? "an inline nodeset" : $"nodeset '{n.Name}'");
    }
}

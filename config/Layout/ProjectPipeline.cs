using System.Collections.Immutable;
using Gating.Config.Model;
using Gating.Model;

namespace Gating.Config.Freezing;

/// <summary>One listing of a job in a project's pipeline: the entry and the stanza (or template) it came from.</summary>
/// <param name="Entry">The jobs-list entry (name and optional local variant).</param>
/// <param name="Source">Where the project stanza or template was defined.</param>
public sealed record ProjectPipelineJob(ProjectJobEntry Entry, SourceContext Source)
{
    /// <summary>The entry as a job variant: its local variant, or a bare variant carrying only the name.</summary>
    public JobConfig AsVariant() => Entry.Variant ?? new JobConfig { Name = Entry.Name, Location = Entry.Location, Source = Source };
}

/// <summary>
/// Zuul's project-pipeline config (ppc, reference §2.7 step 1) for one project, branch and pipeline: the ordered
/// job list with every project-local variant, the variables (template vars, then project vars), debug and fail-fast.
/// </summary>
/// <param name="JobNames">Job names in first-listed order.</param>
/// <param name="Variants">Per job name, every listing in order.</param>
/// <param name="Vars">Template and project variables merged (project wins).</param>
/// <param name="Settings">Whether the project is in the pipeline, debug and fail-fast.</param>
public sealed record ProjectPipeline(
    ImmutableArray<string> JobNames,
    ImmutableDictionary<string, ImmutableArray<ProjectPipelineJob>> Variants,
    VarMap Vars,
    ProjectPipelineSettings Settings)
{
    /// <summary>
    /// Builds the ppc: for each project stanza of <paramref name="project"/> (exact and regex-named, in load
    /// order) that matches <paramref name="branch"/>, each matching template's section for the
    /// pipeline, then the stanza's own section. With no pipeline only the variables are collected.
    /// </summary>
    public static ProjectPipeline Resolve(FreezeLayout layout, string project, string branch, string? pipeline)
    {
        var names = ImmutableArray.CreateBuilder<string>();
        var variants = new Dictionary<string, List<ProjectPipelineJob>>(StringComparer.Ordinal);
        var vars = VarMap.Empty;
        bool inPipeline = false, debug = false, failFast = false;

        void Add(ProjectPipelineConfig section, SourceContext source)
        {
            inPipeline = true;
            debug |= section.Debug == true;
            failFast |= section.FailFast == true;
            foreach (var entry in section.Jobs)
            {
                if (!variants.TryGetValue(entry.Name, out var list))
                {
                    variants[entry.Name] = list = [];
                    names.Add(entry.Name);
                }
                list.Add(new ProjectPipelineJob(entry, source));
            }
        }

        foreach (var stanza in layout.StanzasOf(project))
        {
            if (!BranchMatching.Matches(stanza.Branches ?? Implied(stanza.Source), branch))
            {
                continue;
            }
            foreach (var (templateName, _) in stanza.Templates)
            {
                foreach (var template in layout.TemplatesOf(templateName))
                {
                    if (!BranchMatching.Matches(Implied(template.Source), branch))
                    {
                        continue;
                    }
                    if (pipeline is not null && template.Pipelines.FirstOrDefault(p => p.Pipeline == pipeline) is { } section)
                    {
                        Add(section, template.Source);
                    }
                    vars = vars.DeepMerge(VarConversion.ToVarMap(template.Vars));
                }
            }
            // Project variables override template variables; job variables override both later.
            vars = vars.DeepMerge(VarConversion.ToVarMap(stanza.Vars));
            if (pipeline is not null && stanza.Pipelines.FirstOrDefault(p => p.Pipeline == pipeline) is { } own)
            {
                Add(own, stanza.Source);
            }
        }
        return new ProjectPipeline(
            names.ToImmutable(),
            variants.ToImmutableDictionary(p => p.Key, p => p.Value.ToImmutableArray(), StringComparer.Ordinal),
            vars,
            new ProjectPipelineSettings(inPipeline, debug, failFast));
    }

    private static ImmutableArray<RegexMatcher> Implied(SourceContext source) => source.HasImpliedBranches ? source.ImpliedBranches : [];
}

/// <summary>Branch matchers: any matcher matching is a match; no matchers match every branch.</summary>
internal static class BranchMatching
{
    public static bool Matches(ImmutableArray<RegexMatcher> matchers, string branch)
    {
        if (matchers.IsDefaultOrEmpty)
        {
            return true;
        }
        foreach (var matcher in matchers)
        {
            if (matcher.Matches(branch))
            {
                return true;
            }
        }
        return false;
    }
}

using System.Collections.Immutable;
using System.Globalization;
using Gating.Config.Freezing;
using Gating.Config.Loading;
using Gating.Config.Model;
using Gating.Config.Yaml;
using Gating.Model;
using Gating.Model.Events;
using Gating.Scheduler.Pipelines;
using Gating.Scheduler.Sources;

namespace Gating.Scheduler.Runtime;

/// <summary>
/// Everything the runtime derives from one tenant layout: each pipeline's core context, trigger filters,
/// requirements and reporter votes, and job graph freezing. Immutable; a reconfiguration builds a new one.
/// </summary>
public sealed class TenantRuntime
{
    private readonly FreezeLayout _freeze;
    private readonly ImmutableDictionary<string, PipelineInfo> _pipelines;

    /// <summary>What the runtime knows about one pipeline.</summary>
    /// <param name="Config">The parsed stanza.</param>
    /// <param name="Context">The core's context.</param>
    /// <param name="Triggers">Trigger filters.</param>
    public sealed record PipelineInfo(PipelineConfig Config, PipelineContext Context, ImmutableArray<TriggerFilter> Triggers);

    /// <summary>Derives the runtime view of <paramref name="layout"/>.</summary>
    public TenantRuntime(TenantLayout layout, Func<string, int>? externalSemaphoreHolders = null)
    {
        Layout = layout;
        _freeze = FreezeLayout.From(layout);
        var tenant = layout.Tenant;
        DependenciesByTopic = project => QueueOf(project) is { } q && layout.Queues.TryGetValue(q.Name, out var config) && config.DependenciesByTopic;
        _pipelines = layout.Pipelines.ToImmutableDictionary(p => p.Name, p =>
        {
            var require = TriggerParser.Requirements(p.Require);
            var reject = TriggerParser.Requirements(p.Reject);
            var context = new PipelineContext
            {
                Settings = PipelineSettings.From(p, tenant.MaxChangesPerPipeline, tenant.WebRoot),
                QueueOf = QueueOf,
                MeetsRequirements = c => !c.IsChange || (require.All(r => r.IsMetBy(c)) && !reject.Any(r => r.AnyMetBy(c))),
                SemaphoreMax = layout.GetSemaphoreMax,
                ExternalSemaphoreHolders = externalSemaphoreHolders ?? (_ => 0),
                IdPrefix = $"{Safe(tenant.Name)}-{Safe(p.Name)}-",
            };
            return new PipelineInfo(p, context, TriggerParser.Triggers(p));
        });
    }

    /// <summary>The layout.</summary>
    public TenantLayout Layout { get; }

    /// <summary>The tenant name.</summary>
    public string Tenant => Layout.Tenant.Name;

    /// <summary>
    /// Whether a change of the project (by name) needs the open changes of its topic: its queue has
    /// <c>dependencies-by-topic</c> (reference 3.7; per queue, as Zuul's <c>useDependenciesByTopic</c>).
    /// </summary>
    public Func<string, bool> DependenciesByTopic { get; }

    /// <summary>Pipeline names in layout order.</summary>
    public IEnumerable<string> PipelineNames => Layout.Pipelines.Select(p => p.Name);

    /// <summary>A pipeline's view; null when the layout has no such pipeline.</summary>
    public PipelineInfo? Pipeline(string name) => _pipelines.GetValueOrDefault(name);

    /// <summary>The votes a reporter list sets on <paramref name="connection"/> (<c>submit</c> and other keys left out).</summary>
    public ImmutableDictionary<string, int> VotesFor(string pipeline, string reporters, string connection)
    {
        if (Pipeline(pipeline)?.Config.Reporters.GetValueOrDefault(reporters) is not { IsDefaultOrEmpty: false } sections)
        {
            return ImmutableDictionary<string, int>.Empty;
        }
        var votes = ImmutableDictionary.CreateBuilder<string, int>();
        foreach (var section in sections.Where(s => s.Connection == connection))
        {
            if (section.Value is YamlMapping m)
            {
                foreach (var e in m.Entries)
                {
                    if (e.Value is YamlScalar s && int.TryParse(s.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
                    {
                        votes[e.KeyText] = v;
                    }
                }
            }
        }
        return votes.ToImmutable();
    }

    /// <summary>True when the reporter list of <paramref name="pipeline"/> has any section for <paramref name="connection"/>.</summary>
    public bool Reports(string pipeline, string reporters, string connection) =>
        Pipeline(pipeline)?.Config.Reporters.GetValueOrDefault(reporters) is { IsDefaultOrEmpty: false } s && s.Any(x => x.Connection == connection);

    /// <summary>
    /// Freezes the job graph of an item with <paramref name="layout"/> (this tenant's, or a speculative one for
    /// items that edit config), as the core's answer event: for each of the item's changes (its project and
    /// branch, with its changed files from <paramref name="files"/>, one entry per change), joined for a cycle item
    /// by <see cref="CycleJobGraph.Join"/>.
    /// </summary>
    public static PipelineEvent Freeze(TenantLayout layout, string pipeline, FreezeJobGraph action, ImmutableArray<ImmutableArray<string>> files)
    {
        var own = action.OwnChanges();
        var freezer = new JobFreezer(FreezeLayout.From(layout));
        var results = own.Select((change, i) =>
        {
            var branch = change.Branch ?? DefaultBranch(layout, change.Key.Project);
            var changed = i < files.Length && !files[i].IsDefault ? files[i] : (ImmutableArray<string>?)null;
            return freezer.FreezeJobGraph(new FreezeRequest(change.Key.Project, branch, pipeline, changed));
        }).ToList();
        var errors = results.SelectMany(r => r.Errors).Where(e => e.IsError).Select(e => e.Message).Distinct().ToImmutableArray();
        if (!errors.IsEmpty)
        {
            return new JobGraphErrorEvent(action.BuildSetId, errors);
        }
        var warnings = results.SelectMany(r => r.Errors).Where(e => !e.IsError).Select(e => e.Message).Distinct().ToImmutableArray();
        var inPipeline = results.Any(r => r.Pipeline.InPipeline);
        var graph = results.Count == 1
            ? results[0].Graph
            : CycleJobGraph.Join(own.Select((c, i) => new ChangeJobGraph(c.Key, results[i].Pipeline.InPipeline ? results[i].Graph : JobGraph.Empty)).ToList());
        return new JobGraphReadyEvent(action.BuildSetId, graph, results.Any(r => r.Pipeline.FailFast), inPipeline, warnings);
    }

    /// <summary>Freezes with this tenant's own layout.</summary>
    public PipelineEvent Freeze(string pipeline, FreezeJobGraph action, ImmutableArray<ImmutableArray<string>> files) => Freeze(Layout, pipeline, action, files);

    /// <summary>Projects whose stanzas name <paramref name="pipeline"/> (periodic items are enqueued for them).</summary>
    public IEnumerable<(string Project, string Branch)> ProjectsIn(string pipeline) =>
        Layout.ProjectStanzas
            .Where(p => p.Value.Any(s => s.Pipelines.Any(pp => pp.Pipeline == pipeline))
                || p.Value.Any(s => s.Templates.Any(t => Layout.GetProjectTemplates(t.Name).Any(tt => tt.Pipelines.Any(pp => pp.Pipeline == pipeline)))))
            .Select(p => (p.Key, DefaultBranch(Layout, p.Key)))
            .OrderBy(p => p.Key, StringComparer.Ordinal);

    private ProjectQueue? QueueOf(string project)
    {
        var name = Layout.GetProjectStanzas(project).Select(s => s.Queue).FirstOrDefault(q => q is not null)
            ?? Layout.GetProjectStanzas(project).SelectMany(s => s.Templates).Select(t => Layout.GetProjectTemplates(t.Name).Select(x => x.Queue).FirstOrDefault(q => q is not null)).FirstOrDefault(q => q is not null);
        if (name is null)
        {
            return null;
        }
        return Layout.Queues.TryGetValue(name, out var q)
            ? new ProjectQueue(name, q.PerBranch, q.AllowCircularDependencies)
            : new ProjectQueue(name);
    }

    private static string DefaultBranch(TenantLayout layout, string project) =>
        layout.ProjectBranches.TryGetValue(project, out var branches) && !branches.IsDefaultOrEmpty ? branches[0] : "master";

    private static string Safe(string name) => name.Replace('/', '_');
}

using System.Collections.Immutable;
using System.Text.Json;
using Gating.Model;
using Gating.Model.Json;
using Gating.Scheduler.Pipelines;

namespace Gating.Scheduler.Runtime;

/// <summary>
/// Shapes a <see cref="StartBuild"/> action into the <see cref="BuildParameters"/> an executor reads from the build
/// request's params (the contract of model/Requests). Only what the pipeline state knows goes in; the executor
/// fills in its own side (work dirs, inventory).
/// </summary>
public static class BuildParametersFactory
{
    /// <summary>The parameters of a build.</summary>
    public static BuildParameters Create(string tenant, string pipeline, StartBuild start, PipelineState state)
    {
        var item = state.Items.GetValueOrDefault(start.ItemId);
        var change = (start.Change is { } own ? item?.Changes.FirstOrDefault(c => c.Key == own) : null) ?? item?.Changes.LastOrDefault() ?? state.Changes.Values.FirstOrDefault(c => start.Speculative.Length > 0 && c.Key == start.Speculative[^1].Key);
        var items = start.Speculative.Select(rev =>
        {
            var known = item?.Changes.FirstOrDefault(c => c.Key == rev.Key) ?? state.Changes.GetValueOrDefault(rev.Key);
            var project = new BuildProject(rev.Key.Connection, rev.Key.Project, rev.Key.Connection);
            var branch = known?.Branch ?? "master";
            var isChange = known?.IsChange ?? true;
            var merge = new MergeItem(rev.Key.Connection, rev.Key.Project, branch, known?.Ref, isChange ? null : rev.Revision,
                MergeMode.MergeResolve, isChange ? rev.Key.Id : null, isChange ? rev.Revision : null);
            return new BuildItem(project, merge, known?.Url, known?.OldRev, known?.NewRev, known?.Topic);
        }).ToImmutableArray();
        var job = start.Job;
        var graph = item?.BuildSet.JobGraph;
        return new BuildParameters
        {
            BuildId = start.BuildId,
            BuildSetId = start.BuildSetId,
            Tenant = tenant,
            Pipeline = pipeline,
            Job = job.Name,
            Project = new BuildProject(change?.Key.Connection ?? "", change?.Key.Project ?? "", change?.Key.Connection ?? ""),
            Branch = change?.Branch ?? "master",
            Ref = change?.Ref,
            Change = change?.Number?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Patchset = change?.Patchset,
            ChangeUrl = change?.Url,
            Items = items,
            Timeout = job.Timeout is { } t ? TimeSpan.FromSeconds(t) : null,
            ParentData = start.ParentData.IsEmpty ? null : JsonSerializer.SerializeToElement(start.ParentData, ModelJson.Options),
            ChildJobs = graph?.DependentsOf(start.JobKey ?? job.Name).Select(e => graph.Find(e.Job)?.Name ?? e.Job).ToImmutableArray() ?? [],
            Attempts = start.Attempt,
            MaxAttempts = job.Attempts,
            Nodes = start.Nodes.Select((id, i) => new BuildNodeRef(
                i < job.Nodeset.Nodes.Length ? job.Nodeset.Nodes[i].Names : [$"node{i}"],
                i < job.Nodeset.Nodes.Length ? job.Nodeset.Nodes[i].Label : "",
                id)).ToImmutableArray(),
        };
    }
}

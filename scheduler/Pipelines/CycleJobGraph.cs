using System.Collections.Immutable;
using Gating.Model;
using Gating.Model.Json;

namespace Gating.Scheduler.Pipelines;

/// <summary>The job graph frozen for one change of a cycle item.</summary>
/// <param name="Change">The change.</param>
/// <param name="Graph">Its jobs (an empty graph when its project is not in the pipeline).</param>
public sealed record ChangeJobGraph(ChangeKey Change, JobGraph Graph);

/// <summary>
/// The job graph of a cycle item (reference 2.7 step 8 and 3.7): the graphs frozen per change, joined, with
/// identical jobs of different changes deduplicated into one build. Pure.
/// </summary>
public static class CycleJobGraph
{
    /// <summary>
    /// Joins the per-change graphs, in item order. A job is deduplicated with the same-named job of an earlier
    /// change when both froze identically and its <c>deduplicate</c> is <c>true</c>, or <c>auto</c> (the default)
    /// and it has required projects or the changes are of the same project. Every job gets the key
    /// <c>name@project~id</c> of the first change it runs for; dependencies resolve to the same change's job (or
    /// the deduplicated job covering that change).
    /// </summary>
    public static JobGraph Join(IReadOnlyList<ChangeJobGraph> graphs)
    {
        var jobs = ImmutableArray.CreateBuilder<FrozenJob>();
        var nodes = new List<(string Name, string Key, List<ChangeKey> Changes, string Frozen)>();
        var keyOf = new Dictionary<(ChangeKey, string), string>();
        foreach (var (change, graph) in graphs)
        {
            foreach (var job in graph.Jobs)
            {
                var frozen = System.Text.Encoding.UTF8.GetString(ModelJson.Serialize(job));
                var twin = nodes.FindIndex(n => n.Name == job.Name && Deduplicates(job, change, n.Changes[0], n.Frozen == frozen));
                if (twin >= 0)
                {
                    nodes[twin].Changes.Add(change);
                    keyOf[(change, job.Name)] = nodes[twin].Key;
                    continue;
                }
                var key = $"{job.Name}@{change}";
                jobs.Add(job);
                nodes.Add((job.Name, key, [change], frozen));
                keyOf[(change, job.Name)] = key;
            }
        }
        var edges = ImmutableArray.CreateBuilder<JobGraphEdge>();
        var seen = new HashSet<JobGraphEdge>();
        foreach (var (change, graph) in graphs)
        {
            foreach (var edge in graph.Edges)
            {
                if (keyOf.TryGetValue((change, edge.Job), out var job) && keyOf.TryGetValue((change, edge.DependsOn), out var on)
                    && job != on && seen.Add(new JobGraphEdge(job, on, edge.Soft)))
                {
                    edges.Add(new JobGraphEdge(job, on, edge.Soft));
                }
            }
        }
        return new JobGraph(jobs.ToImmutable(), edges.ToImmutable())
        {
            Nodes = nodes.Select(n => new JobGraphNode(n.Key, n.Changes.ToImmutableArray())).ToImmutableArray(),
        };
    }

    private static bool Deduplicates(FrozenJob job, ChangeKey change, ChangeKey other, bool identical) =>
        identical && job.Deduplicate switch
        {
            "true" => true,
            "false" => false,
            _ => !job.RequiredProjects.IsDefaultOrEmpty || (change.Connection, change.Project) == (other.Connection, other.Project),
        };
}

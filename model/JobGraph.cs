using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>
/// The jobs that run for one item in one pipeline and their dependencies. Jobs are in the project-pipeline order
/// (the order the configuration lists them); every edge points from a job to a job in the graph that it waits for.
/// </summary>
/// <param name="Jobs">The frozen jobs, each name once.</param>
/// <param name="Edges">Dependency edges between jobs of the graph.</param>
public sealed record JobGraph(ImmutableArray<FrozenJob> Jobs, ImmutableArray<JobGraphEdge> Edges)
{
    /// <summary>A graph with no jobs.</summary>
    public static readonly JobGraph Empty = new([], []);

    /// <summary>The job named <paramref name="name"/>, or null.</summary>
    public FrozenJob? Find(string name)
    {
        foreach (var job in Jobs)
        {
            if (job.Name == name)
            {
                return job;
            }
        }
        return null;
    }

    /// <summary>The edges from <paramref name="name"/> to the jobs it waits for.</summary>
    public IEnumerable<JobGraphEdge> DependenciesOf(string name) => Edges.Where(e => e.Job == name);

    /// <summary>The edges from jobs that wait for <paramref name="name"/>.</summary>
    public IEnumerable<JobGraphEdge> DependentsOf(string name) => Edges.Where(e => e.DependsOn == name);

    /// <summary>Every job <paramref name="name"/> waits for, directly or not (each once, nearest first).</summary>
    public ImmutableArray<string> TransitiveDependenciesOf(string name)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var order = ImmutableArray.CreateBuilder<string>();
        var queue = new Queue<string>();
        queue.Enqueue(name);
        while (queue.Count > 0)
        {
            foreach (var edge in DependenciesOf(queue.Dequeue()))
            {
                if (seen.Add(edge.DependsOn))
                {
                    order.Add(edge.DependsOn);
                    queue.Enqueue(edge.DependsOn);
                }
            }
        }
        return order.ToImmutable();
    }
}

/// <summary>An edge of the job graph: <paramref name="Job"/> waits for <paramref name="DependsOn"/>.</summary>
/// <param name="Job">The waiting job.</param>
/// <param name="DependsOn">The job it waits for.</param>
/// <param name="Soft">A soft dependency: a skipped <paramref name="DependsOn"/> does not skip <paramref name="Job"/>.</param>
public sealed record JobGraphEdge(string Job, string DependsOn, bool Soft);

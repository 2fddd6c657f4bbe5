using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>
/// The jobs that run for one item in one pipeline and their dependencies. Jobs are in the project-pipeline order
/// (the order the configuration lists them); every edge points from a job to a job in the graph that it waits for.
/// Each job has a key its build is recorded under: its name in the graph of one change; for the graph of a cycle
/// item (several changes, reference 3.7) <see cref="Nodes"/> gives each job's key and the changes it runs for.
/// </summary>
/// <param name="Jobs">The frozen jobs, each key once.</param>
/// <param name="Edges">Dependency edges between jobs of the graph, by key.</param>
public sealed record JobGraph(ImmutableArray<FrozenJob> Jobs, ImmutableArray<JobGraphEdge> Edges)
{
    /// <summary>A graph with no jobs.</summary>
    public static readonly JobGraph Empty = new([], []);

    /// <summary>
    /// For a graph over several changes: per job, in the order of <see cref="Jobs"/>, its key and the changes it
    /// runs for (more than one when deduplicated). Empty for the graph of one change, where a job's key is its name.
    /// </summary>
    public ImmutableArray<JobGraphNode> Nodes { get; init; } = [];

    /// <summary>The key of the job at <paramref name="index"/> of <see cref="Jobs"/>.</summary>
    public string KeyAt(int index) => Nodes.IsDefaultOrEmpty ? Jobs[index].Name : Nodes[index].Key;

    /// <summary>Every job with its key, in graph order.</summary>
    public IEnumerable<(string Key, FrozenJob Job)> Keyed()
    {
        for (var i = 0; i < Jobs.Length; i++)
        {
            yield return (KeyAt(i), Jobs[i]);
        }
    }

    /// <summary>The changes the job keyed <paramref name="key"/> runs for; empty in the graph of one change.</summary>
    public ImmutableArray<ChangeKey> ChangesOf(string key)
    {
        if (Nodes.IsDefaultOrEmpty)
        {
            return [];
        }
        foreach (var node in Nodes)
        {
            if (node.Key == key)
            {
                return node.Changes;
            }
        }
        return [];
    }

    /// <summary>True when the job keyed <paramref name="key"/> runs for <paramref name="change"/> (always, in the graph of one change).</summary>
    public bool RunsFor(string key, ChangeKey change) => Nodes.IsDefaultOrEmpty || ChangesOf(key).Contains(change);

    /// <summary>The job keyed <paramref name="key"/> (its name in the graph of one change), or null.</summary>
    public FrozenJob? Find(string key)
    {
        for (var i = 0; i < Jobs.Length; i++)
        {
            if (KeyAt(i) == key)
            {
                return Jobs[i];
            }
        }
        return null;
    }

    /// <summary>The edges from the job keyed <paramref name="name"/> to the jobs it waits for.</summary>
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

/// <summary>An edge of the job graph: <paramref name="Job"/> waits for <paramref name="DependsOn"/> (both keys).</summary>
/// <param name="Job">The waiting job.</param>
/// <param name="DependsOn">The job it waits for.</param>
/// <param name="Soft">A soft dependency: a skipped <paramref name="DependsOn"/> does not skip <paramref name="Job"/>.</param>
public sealed record JobGraphEdge(string Job, string DependsOn, bool Soft);

/// <summary>A job of a graph over several changes (a cycle item).</summary>
/// <param name="Key">The key its build is recorded under (unique in the graph).</param>
/// <param name="Changes">The changes it runs for, in item order: one, or several when deduplicated.</param>
public sealed record JobGraphNode(string Key, ImmutableArray<ChangeKey> Changes);

using System.Collections.Immutable;
using Gating.Model;

namespace Gating.Scheduler.Pipelines;

/// <summary>Finds the dependency cycle a change is part of (its strongly connected component, reference §3.7).</summary>
public static class DependencyCycles
{
    /// <summary>
    /// The changes that need <paramref name="start"/> and are needed by it (directly or not), open changes only,
    /// ordered so that git parents come before their children; just <paramref name="start"/> when there is no cycle.
    /// </summary>
    public static ImmutableArray<Change> CycleOf(Change start, IReadOnlyDictionary<ChangeKey, Change> graph)
    {
        Change? Lookup(ChangeKey key) =>
            key == start.Key ? start : graph.TryGetValue(key, out var c) && c.Status == ChangeStatus.Open ? c : null;

        var forward = Reach(start.Key, k => Lookup(k)?.Needs ?? []);
        if (forward.Count == 0)
        {
            return [start];
        }
        // Reverse edges over the changes reachable from start: a cycle member reaches start back.
        var members = new List<Change> { start };
        foreach (var key in forward)
        {
            if (key != start.Key && Lookup(key) is { } c && Reach(key, k => Lookup(k)?.Needs ?? []).Contains(start.Key))
            {
                members.Add(c);
            }
        }
        return members.Count == 1 ? [start] : OrderParentsFirst(members);
    }

    private static HashSet<ChangeKey> Reach(ChangeKey from, Func<ChangeKey, IEnumerable<ChangeKey>> next)
    {
        var seen = new HashSet<ChangeKey>();
        var stack = new Stack<ChangeKey>();
        stack.Push(from);
        while (stack.Count > 0)
        {
            foreach (var n in next(stack.Pop()))
            {
                if (seen.Add(n))
                {
                    stack.Push(n);
                }
            }
        }
        return seen;
    }

    private static ImmutableArray<Change> OrderParentsFirst(List<Change> members)
    {
        var byKey = members.ToDictionary(c => c.Key);
        var done = new HashSet<ChangeKey>();
        var order = ImmutableArray.CreateBuilder<Change>(members.Count);
        void Visit(Change c, HashSet<ChangeKey> path)
        {
            if (done.Contains(c.Key) || !path.Add(c.Key))
            {
                return;
            }
            foreach (var parent in c.GitParents)
            {
                if (byKey.TryGetValue(parent, out var p))
                {
                    Visit(p, path);
                }
            }
            if (done.Add(c.Key))
            {
                order.Add(c);
            }
        }
        // Stable: members in the order found, each after its git parents.
        foreach (var c in members.OrderBy(m => m.Key.Project, StringComparer.Ordinal).ThenBy(m => m.Number ?? 0))
        {
            Visit(c, []);
        }
        return order.MoveToImmutable();
    }
}

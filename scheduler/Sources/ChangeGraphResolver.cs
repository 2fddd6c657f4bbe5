using System.Collections.Immutable;
using Gating.Model;
using Gating.Model.Events;

namespace Gating.Scheduler.Sources;

/// <summary>
/// Builds a change's <see cref="ChangeGraph"/> through the sources (reference §3.7): every change reachable
/// through Depends-On footers and git parents (and topics, for changes of projects whose queue follows them),
/// plus the open changes that need it.
/// </summary>
public static class ChangeGraphResolver
{
    /// <summary>The largest graph followed (a guard against runaway Depends-On chains).</summary>
    public const int MaxChanges = 1000;

    /// <summary>
    /// Resolves the graph of <paramref name="change"/>; <paramref name="byTopic"/> says, per project name, whether
    /// its changes need the open changes of their topic (its queue's <c>dependencies-by-topic</c>).
    /// </summary>
    public static async Task<ChangeGraph> ResolveAsync(
        Change change, IReadOnlyDictionary<string, IChangeSource> sources, Func<string, bool> byTopic, CancellationToken cancellationToken)
    {
        if (!change.IsChange)
        {
            return ChangeGraph.None;
        }
        var found = new Dictionary<ChangeKey, Change> { [change.Key] = change };
        var queue = new Queue<Change>([change]);
        // Needed-by is followed transitively, nearest first (Zuul's enqueueChangesBehind recurses through
        // addChange, reference 3.2 step 12): with C -> B -> A, approving A brings B and then C in behind it.
        var neededBy = ImmutableArray.CreateBuilder<ChangeKey>();
        var behind = new Queue<ChangeKey>([change.Key]);
        var seenBehind = new HashSet<ChangeKey> { change.Key };
        while (behind.Count > 0 && seenBehind.Count < MaxChanges)
        {
            var key = behind.Dequeue();
            if (!sources.TryGetValue(key.Connection, out var source))
            {
                continue;
            }
            foreach (var needer in await source.GetNeededByAsync(key, cancellationToken))
            {
                if (seenBehind.Add(needer))
                {
                    neededBy.Add(needer);
                    behind.Enqueue(needer);
                    await AddAsync(needer);
                }
            }
        }
        while (queue.Count > 0 && found.Count < MaxChanges)
        {
            var next = queue.Dequeue();
            foreach (var need in next.Needs)
            {
                await AddAsync(need);
            }
            if (next.Topic is { } topic && byTopic(next.Key.Project) && sources.TryGetValue(next.Key.Connection, out var source))
            {
                foreach (var key in await source.GetTopicChangesAsync(topic, cancellationToken))
                {
                    await AddAsync(key);
                }
            }
        }
        LinkTopics(found, byTopic);
        return new ChangeGraph(found.ToImmutableDictionary(), neededBy.ToImmutable());

        async Task AddAsync(ChangeKey key)
        {
            if (found.ContainsKey(key) || !sources.TryGetValue(key.Connection, out var source))
            {
                return;
            }
            if (await source.GetChangeAsync(key, cancellationToken) is { } c)
            {
                found[key] = c;
                queue.Enqueue(c);
            }
        }
    }

    /// <summary>
    /// With <c>dependencies-by-topic</c>, the open changes of one topic need each other (reference 3.7): each gets
    /// the others as needs, so the core sees the cycle they form. Only a change whose project's queue follows
    /// topics needs the others; a change of another queue with the same topic is left alone (it may still be needed).
    /// </summary>
    private static void LinkTopics(Dictionary<ChangeKey, Change> found, Func<string, bool> byTopic)
    {
        var topics = found.Values
            .Where(c => c.Topic is { Length: > 0 } && c.Status == ChangeStatus.Open)
            .GroupBy(c => (c.Key.Connection, c.Topic))
            .Where(g => g.Count() > 1)
            .ToList();
        foreach (var group in topics)
        {
            foreach (var member in group.Where(m => byTopic(m.Key.Project)))
            {
                var others = group.Select(o => o.Key).Where(k => k != member.Key && !member.Needs.Contains(k));
                found[member.Key] = member with { DependsOn = member.DependsOn.AddRange(others) };
            }
        }
    }
}

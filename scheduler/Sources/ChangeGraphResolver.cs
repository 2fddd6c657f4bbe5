using System.Collections.Immutable;
using Gating.Model;
using Gating.Model.Events;

namespace Gating.Scheduler.Sources;

/// <summary>
/// Builds a change's <see cref="ChangeGraph"/> through the sources (reference §3.7): every change reachable
/// through Depends-On footers and git parents (and topics, when asked), plus the open changes that need it.
/// </summary>
public static class ChangeGraphResolver
{
    /// <summary>The largest graph followed (a guard against runaway Depends-On chains).</summary>
    public const int MaxChanges = 1000;

    /// <summary>Resolves the graph of <paramref name="change"/>.</summary>
    public static async Task<ChangeGraph> ResolveAsync(
        Change change, IReadOnlyDictionary<string, IChangeSource> sources, bool byTopic, CancellationToken cancellationToken)
    {
        if (!change.IsChange)
        {
            return ChangeGraph.None;
        }
        var found = new Dictionary<ChangeKey, Change> { [change.Key] = change };
        var queue = new Queue<Change>([change]);
        var neededBy = ImmutableArray<ChangeKey>.Empty;
        if (sources.TryGetValue(change.Key.Connection, out var own))
        {
            neededBy = await own.GetNeededByAsync(change.Key, cancellationToken);
            foreach (var key in neededBy)
            {
                await AddAsync(key);
            }
        }
        while (queue.Count > 0 && found.Count < MaxChanges)
        {
            var next = queue.Dequeue();
            foreach (var need in next.Needs)
            {
                await AddAsync(need);
            }
            if (byTopic && next.Topic is { } topic && sources.TryGetValue(next.Key.Connection, out var source))
            {
                foreach (var key in await source.GetTopicChangesAsync(topic, cancellationToken))
                {
                    await AddAsync(key);
                }
            }
        }
        return new ChangeGraph(found.ToImmutableDictionary(), neededBy);

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
}

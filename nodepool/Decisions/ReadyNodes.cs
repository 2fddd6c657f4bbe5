using System.Collections.Immutable;
using Gating.Model;
using Gating.Nodepool.Config;

namespace Gating.Nodepool.Decisions;

/// <summary>
/// min-ready and max-ready-age (reference/zuul.md 5.3): keep a stock of ready, unallocated nodes per label, and
/// throw away those that waited too long.
/// </summary>
public static class ReadyNodes
{
    /// <summary>
    /// The labels to make min-ready requests for now: one entry per missing node, counting ready unallocated nodes
    /// and the open (requested or pending) min-ready requests as stock. Only labels some pool serves.
    /// </summary>
    public static ImmutableArray<string> MinReadyShortfall(
        ProvidersConfig config, IEnumerable<Node> nodes, IEnumerable<NodeRequest> openRequests)
    {
        var served = config.Pools().SelectMany(p => p.Pool.Labels.Select(l => l.Name)).ToHashSet(StringComparer.Ordinal);
        var nodeList = nodes.ToList();
        var requestList = openRequests.Where(r => r.IsMinReady && !r.IsDone).ToList();
        var result = ImmutableArray.CreateBuilder<string>();
        foreach (var label in config.Labels.Where(l => l.MinReady > 0 && served.Contains(l.Name)))
        {
            var stock = nodeList.Count(n => n.HasLabel(label.Name) && IsFreeReadyOrComing(n))
                + requestList.Where(r => r.Labels.Contains(label.Name)).Sum(r => r.Labels.Count(l => l == label.Name));
            for (var i = stock; i < label.MinReady; i++)
            {
                result.Add(label.Name);
            }
        }

        return result.ToImmutable();
    }

    /// <summary>A min-ready request for one node of the label (priority 900, no reuse).</summary>
    public static NodeRequest MinReadyRequest(string label, DateTimeOffset now) =>
        new("", NodeRequestState.Requested, now, [label], NodeRequest.MinReadyRequestor)
        {
            Priority = NodeRequest.MinReadyPriority,
            Reuse = false,
            CreatedTime = now,
        };

    /// <summary>Ready, unallocated nodes older than their label's max-ready-age: to delete.</summary>
    public static ImmutableArray<Node> ExpiredReady(ProvidersConfig config, IEnumerable<Node> nodes, DateTimeOffset now) =>
        [.. nodes.Where(n => n.State == NodeState.Ready && n.AllocatedTo is null && n.Labels.Any(l =>
            config.Label(l)?.MaxReadyAge is { } age && now - n.StateTime > age))];

    // A min-ready node is allocated to its own min-ready request until that request is done; once fulfilled the
    // launcher frees it, so free ready nodes are the stock.
    private static bool IsFreeReadyOrComing(Node node) =>
        node.State == NodeState.Ready && node.AllocatedTo is null;
}

using System.Collections.Immutable;
using Gating.Model;
using Gating.Nodepool.Providers;

namespace Gating.Nodepool.Decisions;

/// <summary>
/// What the cleanup and deleted-node workers do (reference/zuul.md 5.3), as a pure plan over one snapshot:
/// delete unlocked nodes in deletable states, free ready nodes of requests that vanished, put lost pending
/// requests back, and delete provider instances no node record knows (leaks).
/// </summary>
public static class Cleanup
{
    /// <summary>Plans the cleanup of one snapshot.</summary>
    public static CleanupPlan Plan(CleanupSnapshot snapshot)
    {
        var requestIds = snapshot.Requests.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var delete = snapshot.Nodes
            .Where(n => !snapshot.LockedNodes.Contains(n.Id) && n.State.IsDeletableWhenUnlocked())
            .Select(n => new NodeToDelete(n, $"unlocked {n.State.ToWire()} node"))
            .ToImmutableArray();

        // A pending request nobody holds the lock of lost its launcher: back to requested for another one.
        var lost = snapshot.Requests
            .Where(r => r.State == NodeRequestState.Pending && !snapshot.LockedRequests.Contains(r.Id))
            .Select(r => r with { State = NodeRequestState.Requested, StateTime = snapshot.Now })
            .ToImmutableArray();

        // Ready nodes allocated to a request that no longer exists (requestor gone) or that starts over are free again.
        var lostIds = lost.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var free = snapshot.Nodes
            .Where(n => n.State == NodeState.Ready && n.AllocatedTo is { } r && (!requestIds.Contains(r) || lostIds.Contains(r))
                && !snapshot.LockedNodes.Contains(n.Id))
            .Select(n => n with { AllocatedTo = null })
            .ToImmutableArray();

        // An instance is leaked when no node record has the id it was made for (records are written before launches).
        var known = snapshot.Nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var leaked = snapshot.Instances.Where(i => !known.Contains(i.NodeId)).Select(i => i.ExternalId).ToImmutableArray();
        return new CleanupPlan(delete, free, lost, leaked);
    }
}

/// <summary>What cleanup looks at: nodes and requests with who holds their locks, and the provider's instances.</summary>
public sealed record CleanupSnapshot(
    ImmutableArray<Node> Nodes,
    ImmutableHashSet<string> LockedNodes,
    ImmutableArray<NodeRequest> Requests,
    ImmutableHashSet<string> LockedRequests,
    ImmutableArray<ProviderInstance> Instances,
    DateTimeOffset Now);

/// <summary>A node to delete and why.</summary>
public sealed record NodeToDelete(Node Node, string Reason);

/// <summary>The cleanup to carry out.</summary>
public sealed record CleanupPlan(
    ImmutableArray<NodeToDelete> DeleteNodes,
    ImmutableArray<Node> FreeNodes,
    ImmutableArray<NodeRequest> ResetRequests,
    ImmutableArray<string> LeakedInstances);

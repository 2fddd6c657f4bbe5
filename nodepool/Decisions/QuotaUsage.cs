using Gating.Model;
using Gating.Nodepool.Config;

namespace Gating.Nodepool.Decisions;

/// <summary>Resource arithmetic for quota (reference/zuul.md 5.4): what nodes use, what labels need, what limits allow.</summary>
public static class QuotaUsage
{
    /// <summary>What one new node of the label takes in the pool.</summary>
    public static NodeResources ForLabel(PoolConfig pool, string label) =>
        pool.Label(label) is { } l ? new NodeResources(1, l.Cores, l.Ram) : NodeResources.OneServer;

    /// <summary>What new nodes of these labels take in the pool.</summary>
    public static NodeResources ForLabels(PoolConfig pool, IEnumerable<string> labels) =>
        labels.Aggregate(NodeResources.Zero, (sum, label) => sum + ForLabel(pool, label));

    /// <summary>What the pool's existing nodes use.</summary>
    public static NodeResources OfPool(IEnumerable<Node> nodes, PoolId pool) =>
        Sum(nodes.Where(n => pool.Owns(n)));

    /// <summary>What the tenant's nodes use across every provider.</summary>
    public static NodeResources OfTenant(IEnumerable<Node> nodes, string tenant) =>
        Sum(nodes.Where(n => n.TenantName == tenant));

    /// <summary>Sum of the resources of nodes that count against quota.</summary>
    public static NodeResources Sum(IEnumerable<Node> nodes) =>
        nodes.Where(n => n.State.CountsAgainstQuota()).Aggregate(NodeResources.Zero, (sum, n) => sum + n.Resources);

    /// <summary>The first limit of the pool that <paramref name="amount"/> exceeds, or null when it fits.</summary>
    public static string? Exceeds(NodeResources amount, PoolConfig pool) =>
        Exceeds(amount, pool.MaxServers, pool.MaxCores, pool.MaxRam);

    /// <summary>The first limit of the tenant that <paramref name="amount"/> exceeds, or null when it fits.</summary>
    public static string? Exceeds(NodeResources amount, TenantResourceLimit limit) =>
        Exceeds(amount, limit.MaxServers, limit.MaxCores, limit.MaxRam);

    private static string? Exceeds(NodeResources amount, int? maxServers, int? maxCores, long? maxRam)
    {
        if (maxServers is { } s && amount.Servers > s)
        {
            return $"{amount.Servers} servers > max-servers {s}";
        }

        if (maxCores is { } c && amount.Cores > c)
        {
            return $"{amount.Cores} cores > max-cores {c}";
        }

        return maxRam is { } r && amount.RamMb > r ? $"{amount.RamMb} MB RAM > max-ram {r}" : null;
    }
}

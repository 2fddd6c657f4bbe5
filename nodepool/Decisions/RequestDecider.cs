using System.Collections.Immutable;
using Gating.Model;
using Gating.Nodepool.Config;

namespace Gating.Nodepool.Decisions;

/// <summary>
/// Everything one pool knows when it looks at a request: itself, the other registered pools, the nodes, and how
/// many requests it is handling. A snapshot: the decider reads it and does no I/O.
/// </summary>
public sealed record PoolSnapshot(
    ProviderConfig Provider,
    PoolConfig Pool,
    ImmutableArray<PoolView> RegisteredPools,
    ImmutableArray<Node> Nodes)
{
    /// <summary>The pool's id.</summary>
    public PoolId Id => new(Provider.Name, Pool.Name);

    /// <summary>The pool's priority (its own, else its provider's).</summary>
    public int Priority => Pool.Priority ?? Provider.Priority;

    /// <summary>Requests this provider is handling now (against max-concurrency).</summary>
    public int ActiveHandlers { get; init; }

    /// <summary>True while the pool waits at quota.</summary>
    public bool Paused { get; init; }

    /// <summary>Tenant limits (tenant-resource-limits).</summary>
    public ImmutableArray<TenantResourceLimit> TenantLimits { get; init; } = [];
}

/// <summary>
/// The launcher's choice for one request and one pool, as Nodepool's pool worker makes it (reference/zuul.md 5.2
/// and 5.4): leave it to a better pool, defer it when it does not fit now, decline it when it never can, or
/// accept it with a plan that reuses ready nodes first.
/// </summary>
public static class RequestDecider
{
    /// <summary>Decides what the pool does with the request.</summary>
    public static RequestDecision Decide(NodeRequest request, PoolSnapshot pool)
    {
        var self = pool.Id.ToString();
        if (request.State != NodeRequestState.Requested)
        {
            return new RequestDecision.Leave($"request is {request.State.ToWire()}");
        }

        if (request.DeclinedBy.Contains(self))
        {
            return new RequestDecision.Leave($"{self} declined it already");
        }

        var candidates = pool.RegisteredPools
            .Where(p => p.Online && p.Id != pool.Id && !request.DeclinedBy.Contains(p.Id.ToString()) && p.ServesAll(request))
            .ToList();
        var servesAll = request.Labels.All(l => pool.Pool.Label(l) is not null);

        if (request.Provider is { } preferred && preferred != pool.Provider.Name && candidates.Any(p => p.Id.Provider == preferred))
        {
            return new RequestDecision.Leave($"request prefers provider {preferred}");
        }

        if (!servesAll)
        {
            var missing = request.Labels.Where(l => pool.Pool.Label(l) is null).Distinct();
            return candidates.Count > 0
                ? new RequestDecision.Leave($"another pool serves every label ({candidates[0].Id})")
                : new RequestDecision.Decline($"{self} does not provide label(s) {string.Join(", ", missing)}");
        }

        if (candidates.FirstOrDefault(p => !p.Paused && p.Priority < pool.Priority) is { } better
            && (request.Provider is null || request.Provider != pool.Provider.Name))
        {
            return new RequestDecision.Leave($"pool {better.Id} has a better priority ({better.Priority} < {pool.Priority})");
        }

        if (pool.Pool.MaxServers is <= 0)
        {
            return new RequestDecision.Decline($"{self} has max-servers {pool.Pool.MaxServers}");
        }

        // Never fits: more than the pool's or the tenant's whole quota.
        var total = QuotaUsage.ForLabels(pool.Pool, request.Labels);
        if (QuotaUsage.Exceeds(total, pool.Pool) is { } tooBig)
        {
            return new RequestDecision.Decline($"request needs more than {self} has at all: {tooBig}");
        }

        var tenantLimit = request.TenantName is { } t ? pool.TenantLimits.FirstOrDefault(l => l.TenantName == t) : null;
        if (tenantLimit is not null && QuotaUsage.Exceeds(total, tenantLimit) is { } tooBigForTenant)
        {
            return new RequestDecision.Decline($"request needs more than tenant {tenantLimit.TenantName} may have: {tooBigForTenant}");
        }

        if (pool.Paused)
        {
            return new RequestDecision.Defer($"{self} is paused at quota");
        }

        if (pool.Provider.MaxConcurrency > 0 && pool.ActiveHandlers >= pool.Provider.MaxConcurrency)
        {
            return new RequestDecision.Defer($"provider {pool.Provider.Name} handles {pool.ActiveHandlers} of max-concurrency {pool.Provider.MaxConcurrency}");
        }

        // Fits now? Reused nodes are already counted; only launches take more.
        var plan = Plan(request, pool);
        var launches = plan.Where(s => s.ReuseNodeId is null).Select(s => s.Label).ToList();
        var need = QuotaUsage.ForLabels(pool.Pool, launches);
        var notNow = QuotaUsage.Exceeds(QuotaUsage.OfPool(pool.Nodes, pool.Id) + need, pool.Pool);
        if (notNow is null && tenantLimit is not null)
        {
            notNow = QuotaUsage.Exceeds(QuotaUsage.OfTenant(pool.Nodes, tenantLimit.TenantName) + need, tenantLimit) is { } over
                ? $"tenant {tenantLimit.TenantName}: {over}"
                : null;
        }

        if (notNow is not null)
        {
            // The launcher's own min-ready requests never wait for quota: real requests come first.
            return request.IsMinReady
                ? new RequestDecision.Decline($"min-ready request at quota: {notNow}")
                : new RequestDecision.Defer($"does not fit now: {notNow}");
        }

        return new RequestDecision.Accept(plan);
    }

    /// <summary>
    /// One step per requested label: an unallocated ready node of this pool with the label (oldest first, each used
    /// once) when the request allows reuse, else a launch.
    /// </summary>
    public static ImmutableArray<NodeStep> Plan(NodeRequest request, PoolSnapshot pool)
    {
        var free = request.Reuse && !request.IsMinReady
            ? pool.Nodes.Where(n => pool.Id.Owns(n) && n.State == NodeState.Ready && n.AllocatedTo is null)
                .OrderBy(n => n.StateTime).ThenBy(n => n.Id, StringComparer.Ordinal).ToList()
            : [];
        var steps = ImmutableArray.CreateBuilder<NodeStep>(request.Labels.Length);
        foreach (var label in request.Labels)
        {
            var node = free.FirstOrDefault(n => n.HasLabel(label));
            if (node is not null)
            {
                free.Remove(node);
            }

            steps.Add(new NodeStep(label, node?.Id));
        }

        return steps.MoveToImmutable();
    }

    /// <summary>
    /// The request after this pool declines it: the pool joins declined_by; the request fails when every
    /// registered pool has declined it, else it goes back to requested for the others.
    /// </summary>
    public static NodeRequest Declined(NodeRequest request, PoolId pool, IEnumerable<PoolView> registered, DateTimeOffset now)
    {
        var declined = request.DeclinedBy.Contains(pool.ToString()) ? request.DeclinedBy : request.DeclinedBy.Add(pool.ToString());
        var everyone = registered.Select(p => p.Id.ToString()).Append(pool.ToString()).All(declined.Contains);
        return request with
        {
            DeclinedBy = declined,
            State = everyone ? NodeRequestState.Failed : NodeRequestState.Requested,
            StateTime = now,
        };
    }

    /// <summary>The order a pool looks at requests in: those it serves fully first, then handling order.</summary>
    public static ImmutableArray<NodeRequest> Order(IEnumerable<NodeRequest> requests, PoolConfig pool) =>
        [.. requests.OrderBy(r => r.Labels.All(l => pool.Label(l) is not null) ? 0 : 1).ThenBy(r => r, NodeRequest.HandlingOrder)];
}

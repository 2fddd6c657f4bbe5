using System.Collections.Immutable;
using Gating.Model;
using Gating.Nodepool.Config;
using Gating.Nodepool.Decisions;

namespace Gating.Nodepool.Tests.Decisions;

public sealed class RequestDeciderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly ProviderConfig Local = new("local", "local");
    private static readonly PoolConfig Main = new("main")
    {
        MaxServers = 4,
        MaxCores = 8,
        Labels = [new PoolLabelConfig("small") { Cores = 1 }, new PoolLabelConfig("big") { Cores = 4 }],
    };

    private static PoolSnapshot Snapshot(PoolConfig? pool = null, ProviderConfig? provider = null, IEnumerable<Node>? nodes = null, IEnumerable<PoolView>? others = null)
    {
        provider ??= Local;
        pool ??= Main;
        var self = new PoolView(new PoolId(provider.Name, pool.Name), pool.Priority ?? provider.Priority, [.. pool.Labels.Select(l => l.Name)]);
        return new PoolSnapshot(provider, pool, [self, .. others ?? []], [.. nodes ?? []]);
    }

    private static NodeRequest Request(params string[] labels) =>
        new(NodeRequest.FormatId(200, 1), NodeRequestState.Requested, T0, [.. labels], "zuul") { TenantName = "t" };

    private static Node NodeOf(string id, string label, NodeState state = NodeState.Ready, string? allocatedTo = null, int cores = 1, string provider = "local", string tenant = "t") =>
        new(id, state, T0, provider, "main", [label]) { AllocatedTo = allocatedTo, Resources = new NodeResources(1, cores, 0), TenantName = tenant };

    [Fact]
    public void Accepts_and_launches_when_nothing_is_ready()
    {
        var accept = Assert.IsType<RequestDecision.Accept>(RequestDecider.Decide(Request("small", "big"), Snapshot()));
        Assert.Equal([new NodeStep("small", null), new NodeStep("big", null)], accept.Plan.ToArray());
    }

    [Fact]
    public void Reuses_oldest_free_ready_nodes_of_its_own_pool_once_each()
    {
        var nodes = new[]
        {
            NodeOf("5", "small") with { StateTime = T0.AddSeconds(5) },
            NodeOf("3", "small") with { StateTime = T0.AddSeconds(1) },
            NodeOf("4", "small", allocatedTo: "other"),
            NodeOf("6", "small", provider: "elsewhere"),
            NodeOf("7", "small", state: NodeState.Building),
        };
        var accept = Assert.IsType<RequestDecision.Accept>(RequestDecider.Decide(Request("small", "small", "small"), Snapshot(pool: Main with { MaxServers = 10 }, nodes: nodes)));
        Assert.Equal(["3", "5", null], accept.Plan.Select(s => s.ReuseNodeId));
    }

    [Fact]
    public void No_reuse_when_the_request_forbids_it_or_for_min_ready()
    {
        var nodes = new[] { NodeOf("1", "small") };
        var noReuse = Assert.IsType<RequestDecision.Accept>(RequestDecider.Decide(Request("small") with { Reuse = false }, Snapshot(nodes: nodes)));
        Assert.Null(noReuse.Plan[0].ReuseNodeId);
        var minReady = ReadyNodes.MinReadyRequest("small", T0) with { Id = "900-0000000001" };
        Assert.Null(Assert.IsType<RequestDecision.Accept>(RequestDecider.Decide(minReady, Snapshot(nodes: nodes))).Plan[0].ReuseNodeId);
    }

    [Fact]
    public void Defers_when_the_pool_is_full_now_but_accepts_reuse_at_full_quota()
    {
        var busy = Enumerable.Range(1, 4).Select(i => NodeOf($"{i}", "small", NodeState.InUse, "r")).ToList();
        var defer = Assert.IsType<RequestDecision.Defer>(RequestDecider.Decide(Request("small"), Snapshot(nodes: busy)));
        Assert.Contains("max-servers 4", defer.Reason);

        // The pool is at max-servers, but one of its nodes is free and ready: reusing it needs no new quota.
        busy[3] = NodeOf("4", "small");
        Assert.IsType<RequestDecision.Accept>(RequestDecider.Decide(Request("small"), Snapshot(nodes: busy)));
    }

    [Fact]
    public void Declines_a_request_larger_than_the_whole_pool()
    {
        var decline = Assert.IsType<RequestDecision.Decline>(RequestDecider.Decide(Request("big", "big", "big"), Snapshot()));
        Assert.Contains("12 cores > max-cores 8", decline.Reason);
        Assert.IsType<RequestDecision.Decline>(RequestDecider.Decide(Request("small", "small", "small", "small", "small"), Snapshot()));
    }

    [Fact]
    public void Defers_on_cores_in_use()
    {
        var nodes = new[] { NodeOf("1", "big", NodeState.InUse, "r", cores: 4), NodeOf("2", "big", NodeState.Building, "r", cores: 4) };
        Assert.IsType<RequestDecision.Defer>(RequestDecider.Decide(Request("small"), Snapshot(nodes: nodes)));
    }

    [Fact]
    public void Tenant_limits_defer_when_full_now_and_decline_when_never()
    {
        var snapshot = Snapshot(nodes: [NodeOf("1", "small", NodeState.InUse, "r"), NodeOf("2", "small", NodeState.InUse, "r", tenant: "other")])
            with { TenantLimits = [new TenantResourceLimit("t") { MaxServers = 2 }] };
        Assert.IsType<RequestDecision.Accept>(RequestDecider.Decide(Request("small"), snapshot));
        var defer = Assert.IsType<RequestDecision.Defer>(RequestDecider.Decide(Request("small", "small"), snapshot));
        Assert.Contains("tenant t", defer.Reason);
        var decline = Assert.IsType<RequestDecision.Decline>(RequestDecider.Decide(Request("small", "small", "small"), snapshot));
        Assert.Contains("tenant t may have", decline.Reason);
        Assert.IsType<RequestDecision.Accept>(RequestDecider.Decide(Request("small", "small") with { TenantName = "free" }, snapshot));
    }

    [Fact]
    public void Min_ready_requests_are_declined_at_quota_instead_of_waiting()
    {
        var busy = Enumerable.Range(1, 4).Select(i => NodeOf($"{i}", "small", NodeState.InUse, "r"));
        var minReady = ReadyNodes.MinReadyRequest("small", T0) with { Id = "900-0000000001" };
        Assert.IsType<RequestDecision.Decline>(RequestDecider.Decide(minReady, Snapshot(nodes: busy)));
    }

    [Fact]
    public void Declines_labels_it_does_not_serve_unless_another_pool_serves_them()
    {
        var decline = Assert.IsType<RequestDecision.Decline>(RequestDecider.Decide(Request("gpu"), Snapshot()));
        Assert.Contains("gpu", decline.Reason);
        var gpuPool = new PoolView(new PoolId("cloud", "gpu"), 100, ["gpu"]);
        Assert.IsType<RequestDecision.Leave>(RequestDecider.Decide(Request("gpu"), Snapshot(others: [gpuPool])));

        // Once that pool declined, nobody else can serve it: decline too.
        var declinedThere = Request("gpu") with { DeclinedBy = ["cloud-gpu"] };
        Assert.IsType<RequestDecision.Decline>(RequestDecider.Decide(declinedThere, Snapshot(others: [gpuPool])));
        Assert.IsType<RequestDecision.Decline>(RequestDecider.Decide(Request("gpu"), Snapshot(others: [gpuPool with { Online = false }])));
    }

    [Fact]
    public void Leaves_requests_to_a_better_priority_pool_or_the_preferred_provider()
    {
        var better = new PoolView(new PoolId("fast", "main"), 10, ["small", "big"]);
        Assert.IsType<RequestDecision.Leave>(RequestDecider.Decide(Request("small"), Snapshot(others: [better])));
        Assert.IsType<RequestDecision.Accept>(RequestDecider.Decide(Request("small"), Snapshot(others: [better with { Paused = true }])));
        var worse = better with { Priority = 500 };
        Assert.IsType<RequestDecision.Accept>(RequestDecider.Decide(Request("small"), Snapshot(others: [worse])));
        var preferring = Request("small") with { Provider = "fast" };
        Assert.IsType<RequestDecision.Leave>(RequestDecider.Decide(preferring, Snapshot(others: [worse])));
        Assert.IsType<RequestDecision.Accept>(RequestDecider.Decide(Request("small") with { Provider = "local" }, Snapshot(others: [better])));
    }

    [Fact]
    public void Leaves_its_own_declined_and_non_requested_requests()
    {
        Assert.IsType<RequestDecision.Leave>(RequestDecider.Decide(Request("small") with { DeclinedBy = ["local-main"] }, Snapshot()));
        Assert.IsType<RequestDecision.Leave>(RequestDecider.Decide(Request("small") with { State = NodeRequestState.Pending }, Snapshot()));
    }

    [Fact]
    public void Zero_max_servers_declines_and_paused_or_busy_provider_defers()
    {
        Assert.IsType<RequestDecision.Decline>(RequestDecider.Decide(Request("small"), Snapshot(pool: Main with { MaxServers = 0 })));
        Assert.IsType<RequestDecision.Defer>(RequestDecider.Decide(Request("small"), Snapshot() with { Paused = true }));
        var limited = Snapshot(provider: Local with { MaxConcurrency = 2 }) with { ActiveHandlers = 2 };
        Assert.IsType<RequestDecision.Defer>(RequestDecider.Decide(Request("small"), limited));
        Assert.IsType<RequestDecision.Accept>(RequestDecider.Decide(Request("small"), limited with { ActiveHandlers = 1 }));
    }

    [Fact]
    public void Declined_by_every_registered_pool_fails_the_request()
    {
        var a = new PoolView(new PoolId("a", "p"), 100, ["x"]);
        var b = new PoolView(new PoolId("b", "p"), 100, ["x"]);
        var once = RequestDecider.Declined(Request("x"), a.Id, [a, b], T0);
        Assert.Equal((NodeRequestState.Requested, "a-p"), (once.State, string.Join(",", once.DeclinedBy)));
        var twice = RequestDecider.Declined(once, b.Id, [a, b], T0.AddSeconds(1));
        Assert.Equal(NodeRequestState.Failed, twice.State);
        Assert.Equal(["a-p", "b-p"], twice.DeclinedBy.ToArray());
        Assert.Equal(T0.AddSeconds(1), twice.StateTime);
    }

    [Fact]
    public void Orders_requests_it_serves_first_then_by_priority()
    {
        var r1 = Request("gpu") with { Id = "100-0000000001", Priority = 100 };
        var r2 = Request("small") with { Id = "300-0000000002", Priority = 300 };
        var r3 = Request("big") with { Id = "200-0000000003" };
        Assert.Equal(["200-0000000003", "300-0000000002", "100-0000000001"], RequestDecider.Order([r1, r2, r3], Main).Select(r => r.Id));
    }
}

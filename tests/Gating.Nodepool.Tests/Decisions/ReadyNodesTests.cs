using Gating.Model;
using Gating.Nodepool.Config;
using Gating.Nodepool.Decisions;

namespace Gating.Nodepool.Tests.Decisions;

public sealed class ReadyNodesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    private static readonly ProvidersConfig Config = new(
        [new LabelConfig("small") { MinReady = 3, MaxReadyAge = TimeSpan.FromMinutes(5) }, new LabelConfig("big") { MinReady = 1 }, new LabelConfig("orphan") { MinReady = 2 }],
        [new ProviderConfig("p", "local") { Pools = [new PoolConfig("main") { Labels = [new("small"), new("big")] }] }],
        []);

    private static Node Ready(string id, string label, string? allocatedTo = null, DateTimeOffset? since = null) =>
        new(id, NodeState.Ready, since ?? T0, "p", "main", [label]) { AllocatedTo = allocatedTo };

    [Fact]
    public void Requests_one_node_per_missing_ready_node_of_served_labels()
    {
        var nodes = new[] { Ready("1", "small"), Ready("2", "small", allocatedTo: "r"), Ready("3", "big") with { State = NodeState.InUse } };
        var open = new[] { ReadyNodes.MinReadyRequest("small", T0) with { Id = "900-1", State = NodeRequestState.Pending } };
        var shortfall = ReadyNodes.MinReadyShortfall(Config, nodes, open);
        Assert.Equal(["small", "big"], shortfall.ToArray());
    }

    [Fact]
    public void Nothing_to_request_when_the_stock_is_full()
    {
        var nodes = new[] { Ready("1", "small"), Ready("2", "small"), Ready("3", "small"), Ready("4", "big") };
        Assert.Empty(ReadyNodes.MinReadyShortfall(Config, nodes, []));
        var done = ReadyNodes.MinReadyRequest("big", T0) with { State = NodeRequestState.Fulfilled };
        Assert.Equal(["big"], ReadyNodes.MinReadyShortfall(Config, nodes.Take(3), [done]).ToArray());
    }

    [Fact]
    public void Min_ready_requests_have_the_min_ready_shape()
    {
        var r = ReadyNodes.MinReadyRequest("small", T0);
        Assert.Equal((900, false, "NodePool:min-ready", true), (r.Priority, r.Reuse, r.Requestor, r.IsMinReady));
    }

    [Fact]
    public void Free_ready_nodes_past_max_ready_age_expire()
    {
        var now = T0.AddMinutes(6);
        var nodes = new[]
        {
            Ready("old", "small"),
            Ready("young", "small", since: T0.AddMinutes(2)),
            Ready("taken", "small", allocatedTo: "r"),
            Ready("noage", "big"),
        };
        Assert.Equal(["old"], ReadyNodes.ExpiredReady(Config, nodes, now).Select(n => n.Id));
    }
}

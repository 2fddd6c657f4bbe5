using System.Collections.Immutable;
using Gating.Model;

namespace Gating.Nodepool.Tests.Model;

public sealed class NodeModelTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(NodeState.InUse, "in-use")]
    [InlineData(NodeState.Ready, "ready")]
    [InlineData(NodeState.Building, "building")]
    [InlineData(NodeState.Hold, "hold")]
    [InlineData(NodeState.Deleting, "deleting")]
    public void Node_states_use_nodepool_wire_names(NodeState state, string wire)
    {
        Assert.Equal(wire, state.ToWire());
        Assert.Equal(state, NodeStates.ParseNodeState(wire));
    }

    [Theory]
    [InlineData("inuse")]
    [InlineData("3")]
    [InlineData("Ready")]
    [InlineData("")]
    public void Unknown_state_names_do_not_parse(string wire) => Assert.Null(NodeStates.ParseNodeState(wire));

    [Fact]
    public void Request_states_round_trip()
    {
        foreach (var state in Enum.GetValues<NodeRequestState>())
        {
            Assert.Equal(state, NodeStates.ParseRequestState(state.ToWire()));
        }

        Assert.Null(NodeStates.ParseRequestState("0"));
    }

    [Fact]
    public void Requests_sort_by_priority_then_relative_priority_then_sequence()
    {
        NodeRequest R(int prio, long seq, int rel = 0) =>
            new(NodeRequest.FormatId(prio, seq), NodeRequestState.Requested, T0, ["l"], "zuul") { Priority = prio, RelativePriority = rel };
        var requests = new[] { R(200, 1, rel: 2), R(900, 0), R(100, 5), R(200, 3), R(200, 2, rel: 1) };
        var sorted = requests.Order(NodeRequest.HandlingOrder).Select(r => r.Id).ToList();
        Assert.Equal(["100-0000000005", "200-0000000003", "200-0000000002", "200-0000000001", "900-0000000000"], sorted);
        Assert.Equal(3, requests[3].Sequence);
    }

    [Fact]
    public void Nodeset_alternatives_flatten_depth_first()
    {
        var a = new NodeSet("a", [new NodeSetNode("n", "small")]);
        var b = new NodeSet("b", [new NodeSetNode("n", "medium")]);
        var c = new NodeSet("c", [new NodeSetNode("n", "large")]);
        var nested = new NodeSet("bc", []) { Alternatives = [b, c] };
        var top = new NodeSet("top", []) { Alternatives = [a, nested] };
        Assert.Equal(["a", "b", "c"], top.Choices().Select(x => x.Name));
        Assert.Equal(["small"], top.Choices()[0].Labels.ToArray());
    }

    [Fact]
    public void Empty_nodeset_makes_no_request()
    {
        Assert.Null(NodeSetRequests.RequestFor(NodeSet.Empty, 0, new NodeRequestTemplate("zuul", T0)));
    }

    [Fact]
    public void Request_carries_labels_in_node_order_and_requestor_data()
    {
        var set = new NodeSet("three", [new("controller", "big"), new("compute1", "small"), new("compute2", "small")]);
        var data = new NodeRequestorData("bs1", "tenant-a", "gate", "job-uuid", "tempest");
        var request = NodeSetRequests.RequestFor(set, 0, new NodeRequestTemplate("zuul-1", T0) { Priority = 100, RequestorData = data, RelativePriority = 2 });
        Assert.NotNull(request);
        Assert.Equal(["big", "small", "small"], request.Labels.ToArray());
        Assert.Equal("tenant-a", request.TenantName);
        Assert.Equal(100, request.Priority);
        Assert.Equal(2, request.RelativePriority);
        Assert.Equal(NodeRequestState.Requested, request.State);
    }

    [Fact]
    public void Fulfilled_request_maps_node_names_to_ids()
    {
        var set = new NodeSet("two", [new("a", "x"), new("b", "y")]);
        var request = Fulfilled("200-0000000001", "0000000007", "0000000003");
        var outcome = Assert.IsType<NodeSetOutcome.Provisioned>(NodeSetRequests.Completed(set, 0, request));
        Assert.Equal("0000000007", outcome.NodeIds["a"]);
        Assert.Equal("0000000003", outcome.NodeIds["b"]);
    }

    [Fact]
    public void Failed_request_tries_the_next_alternative_then_is_a_node_failure()
    {
        var set = new NodeSet("alts", []) { Alternatives = [new NodeSet("a", [new("n", "x")]), new NodeSet("b", [new("n", "y")])] };
        var failed = new NodeRequest("200-0000000001", NodeRequestState.Failed, T0, ["x"], "zuul") { DeclinedBy = ["p-main"] };
        Assert.Equal(new NodeSetOutcome.TryAlternative(1), NodeSetRequests.Completed(set, 0, failed));
        var failure = Assert.IsType<NodeSetOutcome.NodeFailure>(NodeSetRequests.Completed(set, 1, failed with { Labels = ["y"] }));
        Assert.Contains("p-main", failure.Reason);
    }

    [Fact]
    public void Accepting_nodes_sets_them_in_use_and_returning_sets_them_used()
    {
        var request = Fulfilled("200-0000000001", "1", "2");
        var nodes = new[] { ReadyNode("1", request.Id), ReadyNode("2", request.Id) };
        var accepted = NodeSetRequests.Accept(request, nodes, T0.AddSeconds(1));
        Assert.Null(accepted.Error);
        Assert.All(accepted.Nodes!.Value, n => Assert.Equal(NodeState.InUse, n.State));
        var held = accepted.Nodes.Value[1] with { State = NodeState.Hold };
        var returned = NodeSetRequests.Return([accepted.Nodes.Value[0], held], T0.AddSeconds(9));
        Assert.Equal([NodeState.Used, NodeState.Hold], returned.Select(n => n.State));
    }

    [Fact]
    public void Accepting_a_node_of_another_request_fails_with_the_reason()
    {
        var request = Fulfilled("200-0000000001", "1");
        var accepted = NodeSetRequests.Accept(request, [ReadyNode("1", "200-0000000099")], T0);
        Assert.Null(accepted.Nodes);
        Assert.Contains("200-0000000099", accepted.Error);
        Assert.Contains("no longer exists", NodeSetRequests.Accept(request, [], T0).Error);
    }

    private static NodeRequest Fulfilled(string id, params string[] nodeIds) =>
        new(id, NodeRequestState.Fulfilled, T0, [.. nodeIds.Select(_ => "x")], "zuul") { NodeIds = [.. nodeIds] };

    private static Node ReadyNode(string id, string allocatedTo) =>
        new(id, NodeState.Ready, T0, "p", "main", ImmutableArray.Create("x")) { AllocatedTo = allocatedTo };
}

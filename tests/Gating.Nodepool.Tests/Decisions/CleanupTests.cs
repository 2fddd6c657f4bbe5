using Gating.Model;
using Gating.Nodepool.Decisions;

namespace Gating.Nodepool.Tests.Decisions;

public sealed class CleanupTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    private static Node N(string id, NodeState state, string? allocatedTo = null) =>
        new(id, state, T0, "p", "main", ["x"]) { AllocatedTo = allocatedTo, ExternalId = "ext-" + id };

    [Fact]
    public void Plans_deletes_frees_resets_and_leaks()
    {
        var nodes = new[]
        {
            N("used", NodeState.Used), N("inuse-locked", NodeState.InUse), N("inuse-lost", NodeState.InUse),
            N("building-orphan", NodeState.Building), N("ready", NodeState.Ready), N("hold", NodeState.Hold),
            N("ready-gone", NodeState.Ready, allocatedTo: "200-0000000009"), N("ready-kept", NodeState.Ready, allocatedTo: "200-0000000001"), N("ready-busy", NodeState.Ready, allocatedTo: "200-0000000002"),
        };
        var requests = new[]
        {
            new NodeRequest("200-0000000001", NodeRequestState.Pending, T0, ["x"], "z"),
            new NodeRequest("200-0000000002", NodeRequestState.Pending, T0, ["x"], "z"),
            new NodeRequest("200-0000000003", NodeRequestState.Requested, T0, ["x"], "z"),
        };
        var plan = Cleanup.Plan(new CleanupSnapshot(
            [.. nodes], ["inuse-locked"], [.. requests], ["200-0000000002"], [new("ext-used", "used"), new("ext-ready", "ready"), new("leaked-1", "0000000099")], T0.AddMinutes(1)));

        Assert.Equal(["used", "inuse-lost", "building-orphan"], plan.DeleteNodes.Select(d => d.Node.Id));
        // Freed: the node of a request that is gone, and the node of the lost request that starts over.
        Assert.Equal(["ready-gone", "ready-kept"], plan.FreeNodes.Select(n => n.Id).Order());
        Assert.All(plan.FreeNodes, n => Assert.Null(n.AllocatedTo));
        Assert.Equal(("200-0000000001", NodeRequestState.Requested), (plan.ResetRequests.Single().Id, plan.ResetRequests.Single().State));
        Assert.Equal(["leaked-1"], plan.LeakedInstances.ToArray());
    }
}

using Gating.Model;
using Gating.Nodepool.Decisions;

namespace Gating.Nodepool.Tests.Decisions;

public sealed class AutoholdTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private const string Project = "review.example.org/org/project";

    private static NodeHoldRequest Hold(string id, string filter, int max = 1) =>
        new(id, "t", Project, "unit", filter, "debug " + id) { MaxCount = max };

    [Fact]
    public void Most_specific_matching_request_wins()
    {
        var requests = new[] { Hold("1", ".*"), Hold("2", "refs/changes/34/1234/.*"), Hold("3", "refs/changes/34/1234/2") };
        Assert.Equal("3", Autohold.Match(requests, "t", Project, "unit", "refs/changes/34/1234/2", "FAILURE")!.Id);
        Assert.Equal("2", Autohold.Match(requests, "t", Project, "unit", "refs/changes/34/1234/3", "FAILURE")!.Id);
        Assert.Equal("1", Autohold.Match(requests, "t", Project, "unit", "refs/heads/main", "POST_FAILURE")!.Id);
    }

    [Theory]
    [InlineData("SUCCESS")]
    [InlineData("ABORTED")]
    [InlineData("NODE_FAILURE")]
    public void Only_failed_builds_are_held(string result) =>
        Assert.Null(Autohold.Match([Hold("1", ".*")], "t", Project, "unit", "refs/heads/main", result));

    [Fact]
    public void Tenant_project_job_must_match_and_exhausted_requests_do_not()
    {
        var requests = new[] { Hold("1", ".*") with { CurrentCount = 1 }, Hold("2", ".*") with { Job = "lint" } };
        Assert.Null(Autohold.Match(requests, "t", Project, "unit", "refs/heads/main", "FAILURE"));
        Assert.Null(Autohold.Match([Hold("3", ".*")], "other", Project, "unit", "refs/heads/main", "FAILURE"));
        Assert.Null(Autohold.Match([Hold("4", "[bad")], "t", Project, "unit", "refs/heads/main", "FAILURE"));
    }

    [Fact]
    public void Holding_marks_nodes_and_counts_the_build_and_the_expiry_is_capped()
    {
        var nodes = new[] { new Node("1", NodeState.InUse, T0, "p", "main", ["x"]), new Node("2", NodeState.InUse, T0, "p", "main", ["x"]) };
        var request = Hold("h", ".*", max: 2) with { NodeExpiration = TimeSpan.FromHours(10) };
        var (updated, held) = Autohold.Hold(request, "build-1", nodes, T0, TimeSpan.FromHours(1), TimeSpan.FromHours(4));
        Assert.All(held, n => Assert.Equal((NodeState.Hold, $"t {Project} unit .*", "debug h", TimeSpan.FromHours(4)), (n.State, n.HoldJob, n.Comment, n.HoldExpiration!.Value)));
        Assert.Equal(1, updated.CurrentCount);
        Assert.True(updated.IsActive);
        Assert.Null(updated.Expired);
        Assert.Equal(["1", "2"], updated.Nodes.Single().NodeIds.ToArray());

        var (full, _) = Autohold.Hold(updated, "build-2", [], T0.AddMinutes(1), null, null);
        Assert.False(full.IsActive);
        Assert.Equal(T0.AddMinutes(1), full.Expired);

        var (_, defaulted) = Autohold.Hold(Hold("d", ".*"), "b", nodes, T0, TimeSpan.FromHours(1), null);
        Assert.Equal(TimeSpan.FromHours(1), defaulted[0].HoldExpiration);
    }

    [Fact]
    public void Releasing_deletes_the_held_nodes_and_expiry_deletes_old_holds()
    {
        var request = Hold("h", ".*") with { Nodes = [new NodeHoldBuild("b", ["1", "2"])] };
        var nodes = new[]
        {
            new Node("1", NodeState.Hold, T0, "p", "main", ["x"]) { HoldExpiration = TimeSpan.FromHours(1) },
            new Node("2", NodeState.Deleting, T0, "p", "main", ["x"]),
            new Node("3", NodeState.Hold, T0, "p", "main", ["x"]),
        };
        var released = Autohold.Release(request, nodes, T0.AddMinutes(1));
        Assert.Equal(("1", NodeState.Deleting), (released.Single().Id, released.Single().State));

        Assert.Empty(Autohold.Expired(nodes, T0.AddMinutes(30), maxHoldAge: null));
        Assert.Equal(["1"], Autohold.Expired(nodes, T0.AddHours(2), maxHoldAge: null).Select(n => n.Id));
        Assert.Equal(["1", "3"], Autohold.Expired(nodes, T0.AddHours(2), maxHoldAge: TimeSpan.FromHours(1)).Select(n => n.Id));
    }
}

using Gating.Testing.Cluster;
using Gating.Testing.Scenarios;

namespace Gating.Scheduler.Tests.Cluster;

/// <summary>The whole system in process on the embedded store: review events in, builds, reports and merges out.</summary>
public sealed class GateClusterTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;

    [Fact]
    public async Task Gate_of_three_with_the_middle_failing_merges_the_others_in_order()
    {
        var ct = Timeout;
        await using var cluster = await TestCluster.StartAsync(GateFixture.Setup(), null, ct);
        Assert.Empty(cluster.ConfigErrors);
        var a = await cluster.CreateChangeAsync(new NewChange("org/project"), ct);
        var b = await cluster.CreateChangeAsync(new NewChange("org/project"), ct);
        var c = await cluster.CreateChangeAsync(new NewChange("org/project1"), ct);
        cluster.SetBuildOutcome(new BuildOutcomeRule(new BuildSelector("project-test1", b), "FAILURE"));
        cluster.HoldBuilds(new BuildSelector());
        foreach (var change in new[] { a, b, c })
        {
            await GateFixture.ApproveForGateAsync(cluster, change, ct);
        }
        await cluster.SettleAsync(ct);

        var gate = Assert.Single(cluster.GetPipeline("gate").Queues);
        Assert.Equal("integrated", gate.Name);
        Assert.Equal([[a], [b], [c]], gate.Items.Select(i => i.Changes.ToArray()));
        Assert.Equal(["project-merge", "project-merge", "project-merge"], cluster.RunningBuilds.Select(r => r.Job));
        Assert.Equal(["1,1 2,1 3,1"], cluster.RunningBuilds.Where(r => r.Change == c).Select(r => string.Join(" ", r.TestedWith)));

        await cluster.ReleaseBuildsAsync(new BuildSelector(), ct);
        await cluster.SettleAsync(ct);

        var lines = GateFixture.Lines(cluster.History).ToList();
        Assert.Equal([a, c], cluster.MergedChanges);
        Assert.Contains($"project-test1 {b} FAILURE [1,1 2,1]", lines);
        // C was tested on top of B, then again without it once B failed.
        Assert.Contains($"project-merge {c} SUCCESS [1,1 2,1 3,1]", lines);
        foreach (var job in new[] { "project-merge", "project-test1", "project-test2" })
        {
            Assert.Contains($"{job} {c} SUCCESS [1,1 3,1]", lines);
            Assert.Contains($"{job} {a} SUCCESS [1,1]", lines);
        }
        Assert.Equal(13, lines.Count);
        Assert.Contains(cluster.History, h => h.Job == "project-post" && h.Ref == "refs/heads/master");
        Assert.Equal(2, cluster.GetVotes(a)["Verified"]);
        Assert.Equal(-2, cluster.GetVotes(b)["Verified"]);
        Assert.Equal(2, cluster.GetVotes(c)["Verified"]);
        Assert.Contains(cluster.GetReports(b), r => r.Pipeline == "gate" && r.Message.Contains("Build failed (gate pipeline).", StringComparison.Ordinal));
        Assert.Empty(cluster.GetPipeline("gate").Queues.SelectMany(q => q.Items));
        Assert.Empty(cluster.RunningBuilds);
    }

    [Fact]
    public async Task Check_reports_on_a_new_patchset()
    {
        var ct = Timeout;
        await using var cluster = await TestCluster.StartAsync(GateFixture.Setup(), null, ct);
        var a = await cluster.CreateChangeAsync(new NewChange("org/project"), ct);
        await cluster.SendPatchsetCreatedAsync(a, ct);
        await cluster.SettleAsync(ct);

        Assert.Equal(
            [$"project-merge {a} SUCCESS [1,1]", $"project-test1 {a} SUCCESS [1,1]", $"project-test2 {a} SUCCESS [1,1]"],
            GateFixture.Lines(cluster.History).Order(StringComparer.Ordinal));
        Assert.Equal(1, cluster.GetVotes(a)["Verified"]);
        Assert.Empty(cluster.MergedChanges);
    }
}

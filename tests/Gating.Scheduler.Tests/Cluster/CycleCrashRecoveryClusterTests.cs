using Gating.Testing.Cluster;
using Gating.Testing.Scenarios;

namespace Gating.Scheduler.Tests.Cluster;

/// <summary>
/// Cycle items (jobs per change, builds keyed per change and job, reports per change) survive a scheduler killed at
/// any point: a fresh instance on the same store finishes with exactly the history, reports and merges of an
/// uninterrupted run.
/// </summary>
public sealed class CycleCrashRecoveryClusterTests
{
    private static readonly string Config = GateFixture.Config.Replace(
        "- queue:\n    name: integrated\n", "- queue:\n    name: integrated\n    allow-circular-dependencies: true\n", StringComparison.Ordinal);

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token;

    [Fact]
    public async Task Killed_schedulers_finish_cycles_like_an_uninterrupted_run()
    {
        Assert.Contains("allow-circular-dependencies", Config);
        var ct = Timeout;
        string expected;
        int checkpoints;
        {
            var count = 0;
            await using var cluster = await TestCluster.StartAsync(GateFixture.Setup(Config), new TestClusterOptions { Checkpoint = (_, _) => count++ }, ct);
            expected = await RunAsync(cluster, ct);
            checkpoints = count;
        }
        // The first cycle (two projects) ran all six jobs and merged; the second (one project: its identical jobs
        // run once, for its first change) failed as a whole.
        Assert.True(expected.Contains("merged: 1 2", StringComparison.Ordinal), expected);
        Assert.True(expected.Contains("project-test1 1 SUCCESS", StringComparison.Ordinal), expected);
        Assert.True(expected.Contains("project-test1 2 SUCCESS", StringComparison.Ordinal), expected);
        Assert.True(expected.Contains("project-test2 3 FAILURE", StringComparison.Ordinal), expected);
        Assert.False(expected.Contains("project-test2 4", StringComparison.Ordinal), expected);
        Assert.True(expected.Contains("votes 3: Verified=-2", StringComparison.Ordinal), expected);
        Assert.True(checkpoints > 30, $"only {checkpoints} checkpoints");

        var random = new Random(2424);
        for (var run = 0; run < 4; run++)
        {
            var kills = Enumerable.Range(0, 4).Select(_ => random.Next(checkpoints)).ToHashSet();
            var seen = 0;
            await using var cluster = await TestCluster.StartAsync(GateFixture.Setup(Config), new TestClusterOptions
            {
                Checkpoint = (_, where) =>
                {
                    if (kills.Contains(seen++))
                    {
                        throw new SchedulerKilledException(where);
                    }
                },
            }, ct);
            var actual = await RunAsync(cluster, ct);
            Assert.True(cluster.KilledCount > 0, "no kill happened");
            Assert.Equal(expected, actual);
        }
    }

    private static async Task<string> RunAsync(TestCluster cluster, CancellationToken ct)
    {
        // Changes are numbered in creation order, so a Depends-On may name the change created next (a cycle).
        var a = await cluster.CreateChangeAsync(new NewChange("org/project", DependsOn: [2]), ct);
        var b = await cluster.CreateChangeAsync(new NewChange("org/project1", DependsOn: [a]), ct);
        var c = await cluster.CreateChangeAsync(new NewChange("org/project1", DependsOn: [4]), ct);
        var d = await cluster.CreateChangeAsync(new NewChange("org/project1", DependsOn: [c]), ct);
        cluster.SetBuildOutcome(new BuildOutcomeRule(new BuildSelector("project-test2", c, "gate"), "FAILURE"));
        cluster.HoldBuilds(new BuildSelector(Pipeline: "gate"));
        foreach (var change in new[] { a, b, c, d })
        {
            await GateFixture.ApproveForGateAsync(cluster, change, ct);
        }
        await cluster.SettleAsync(ct);
        await cluster.ReleaseBuildsAsync(new BuildSelector("project-merge"), ct);
        await cluster.SettleAsync(ct);
        await cluster.ReleaseBuildsAsync(new BuildSelector(Pipeline: "gate"), ct);
        await cluster.SettleAsync(ct);
        return GateScript.Summary(cluster, [a, b, c, d]);
    }
}

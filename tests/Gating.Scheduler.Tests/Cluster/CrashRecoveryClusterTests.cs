using Gating.Testing.Cluster;

namespace Gating.Scheduler.Tests.Cluster;

/// <summary>
/// A scheduler killed at any point (its session expired, nothing cleaned up) and replaced by a fresh instance on the
/// same store finishes with exactly the history, reports and merges of an uninterrupted run.
/// </summary>
public sealed class CrashRecoveryClusterTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token;

    [Fact]
    public async Task Killed_schedulers_finish_like_an_uninterrupted_run()
    {
        var ct = Timeout;
        string expected;
        int checkpoints;
        {
            var count = 0;
            await using var cluster = await TestCluster.StartAsync(GateFixture.Setup(), new TestClusterOptions { Checkpoint = (_, _) => count++ }, ct);
            expected = await GateScript.RunAsync(cluster, ct);
            checkpoints = count;
        }
        Assert.Contains("merged: 1 3 4", expected);
        Assert.Contains("project-test1 3 SUCCESS [1,1 3,1]", expected);
        Assert.True(checkpoints > 50, $"only {checkpoints} checkpoints");

        // Seeded kill points spread over the whole run, several per run.
        var random = new Random(4242);
        for (var run = 0; run < 6; run++)
        {
            var kills = Enumerable.Range(0, 5).Select(_ => random.Next(checkpoints)).ToHashSet();
            var seen = 0;
            await using var cluster = await TestCluster.StartAsync(GateFixture.Setup(), new TestClusterOptions
            {
                Checkpoint = (_, where) =>
                {
                    if (kills.Contains(seen++))
                    {
                        throw new SchedulerKilledException(where);
                    }
                },
            }, ct);
            var actual = await GateScript.RunAsync(cluster, ct);
            Assert.True(cluster.KilledCount > 0, "no kill happened");
            Assert.Equal(expected, actual);
        }
    }
}

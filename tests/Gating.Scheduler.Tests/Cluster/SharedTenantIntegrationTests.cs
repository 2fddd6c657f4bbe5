using Gating.Testing.Cluster;

namespace Gating.Scheduler.Tests.Cluster;

/// <summary>Scheduler instances on one real ZooKeeper (GATING_TEST_ZOOKEEPER) sharing a tenant.</summary>
public sealed class SharedTenantIntegrationTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token;

    private static async Task<string> RunAsync(TestClusterOptions options, CancellationToken ct)
    {
        await using var cluster = await TestCluster.StartAsync(GateFixture.Setup(), options, ct);
        return await GateScript.RunAsync(cluster, ct);
    }

    [Fact]
    public async Task Two_schedulers_on_real_zookeeper_killed_in_turn_give_the_results_of_one_on_the_embedded_store()
    {
        var ct = Timeout;
        var alone = await RunAsync(new TestClusterOptions(), ct);
        var seen = 0;
        var kills = new HashSet<int> { 7, 40, 41, 90, 150, 151, 200 };
        var shared = await RunAsync(new TestClusterOptions
        {
            RealZooKeeper = true,
            Schedulers = 2,
            Checkpoint = (_, where) =>
            {
                if (kills.Contains(seen++))
                {
                    throw new SchedulerKilledException(where);
                }
            },
        }, ct);
        Assert.Equal(alone, shared);
    }
}

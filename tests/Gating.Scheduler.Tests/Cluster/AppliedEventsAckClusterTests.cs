using Gating.Coordination;
using Gating.Testing.Cluster;

namespace Gating.Scheduler.Tests.Cluster;

/// <summary>
/// A scheduler killed after a pass committed its record but before it acknowledged the pass's events leaves events
/// that are already applied. The next instance must acknowledge them even when no new event follows, or the queue
/// never looks quiet again.
/// </summary>
public sealed class AppliedEventsAckClusterTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token;

    [Fact]
    public async Task Killed_between_the_last_commit_and_its_acks_the_applied_events_are_acked_later()
    {
        var ct = Timeout;
        var commits = 0;
        string expected;
        {
            await using var cluster = await TestCluster.StartAsync(GateFixture.Setup(), new TestClusterOptions
            {
                Checkpoint = (_, where) => commits += where == "record-written" ? 1 : 0,
            }, ct);
            expected = await GateScript.RunAsync(cluster, ct);
        }
        Assert.True(commits > 1, $"only {commits} commits");

        // The same run, killed right after its last commit: nothing comes after it to carry the acks along.
        var seen = 0;
        await using var killed = await TestCluster.StartAsync(GateFixture.Setup(), new TestClusterOptions
        {
            Checkpoint = (_, where) =>
            {
                if (where == "record-written" && ++seen == commits)
                {
                    throw new SchedulerKilledException(where);
                }
            },
        }, ct);
        var actual = await GateScript.RunAsync(killed, ct);

        Assert.Equal(1, killed.KilledCount);
        Assert.Equal(expected, actual);
        foreach (var pipeline in new[] { "check", "gate", "post", "periodic" })
        {
            foreach (var root in new[] { ZkPaths.PipelineResultEvents("tenant-one", pipeline), ZkPaths.PipelineManagementEvents("tenant-one", pipeline), ZkPaths.PipelineTriggerEvents("tenant-one", pipeline) })
            {
                Assert.True(await new EventQueue(killed.Session, root).CountAsync(ct) == 0, $"events left in {root}");
            }
        }
    }
}

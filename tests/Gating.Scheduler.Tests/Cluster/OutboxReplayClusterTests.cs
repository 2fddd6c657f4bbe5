using Gating.Coordination;
using Gating.Model.Requests;
using Gating.Testing.Cluster;
using Gating.Testing.Fakes;

namespace Gating.Scheduler.Tests.Cluster;

/// <summary>
/// An outbox is carried out in batches, one kind of action at a time. A scheduler killed after each batch is replaced
/// by one that carries out the whole outbox again: every batch done before must change nothing the second time (no
/// build, merge or node request twice, nothing cancelled twice), and the run ends as an uninterrupted one.
/// </summary>
public sealed class OutboxReplayClusterTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token;

    [Fact]
    public async Task Killed_after_each_batch_the_replayed_outboxes_do_nothing_twice()
    {
        var ct = Timeout;
        string expected;
        {
            await using var cluster = await TestCluster.StartAsync(GateFixture.Setup(), new TestClusterOptions(), ct);
            expected = await GateScript.RunAsync(cluster, ct);
        }

        // Each instance carries the outbox out from the start: it gets one batch further than the one before it,
        // then dies, so every batch of every outbox is carried out again after a kill.
        var sinceStart = 0;
        var killedAt = 0;
        await using var killed = await TestCluster.StartAsync(GateFixture.Setup(), new TestClusterOptions
        {
            Checkpoint = (_, where) =>
            {
                if (where == "outbox-cleared")
                {
                    (sinceStart, killedAt) = (0, 0);
                }
                else if (where == "action-done" && ++sinceStart > killedAt)
                {
                    (sinceStart, killedAt) = (0, sinceStart);
                    throw new SchedulerKilledException(where);
                }
            },
        }, ct);
        var actual = await GateScript.RunAsync(killed, ct);

        Assert.True(killed.KilledCount > 10, $"only {killed.KilledCount} kills");
        Assert.Equal(expected, actual);
        // Nothing was left behind by a replay: no node request, no merge request, and no build request but those of
        // the builds still running.
        Assert.Empty(await killed.Session.TryGetChildrenAsync(FakeNodeProvisioner.Root, ct));
        Assert.Empty(await new JobRequestQueue<MergeRequestData>(killed.Session, ZkPaths.MergerQueue).GetRequestsAsync(ct));
        var builds = await new JobRequestQueue<BuildRequestData>(killed.Session, ZkPaths.ExecutorQueue(null)).GetRequestsAsync(ct);
        Assert.Equal(killed.RunningBuilds.Select(b => b.BuildId).Order(), builds.Select(b => b.Uuid).Order());
    }
}

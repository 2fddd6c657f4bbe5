using Gating.Coordination.Tests.Infrastructure;
using Gating.ZooKeeper;

namespace Gating.Coordination.Tests.Clock;

/// <summary>The logical clock from zxids, on both backends.</summary>
public abstract class ZkClockContractTests<TBackend> : CoordinationTestBase<TBackend>
    where TBackend : ZooKeeperBackend, new()
{
    [Fact]
    public async Task Now_is_after_every_write_that_finished_before_it_on_any_session()
    {
        var a = await SessionAsync();
        var b = await SessionAsync();
        var clock = new ZkClock(a);

        var first = await clock.NowAsync(Ct);
        var write = await b.CreateAsync("/event", default, CreateOptions.Persistent, Ct);
        var second = await clock.NowAsync(Ct);
        var third = await new ZkClock(b).NowAsync(Ct);

        Assert.True(first < LogicalTime.Created(write.Stat));
        Assert.True(LogicalTime.Created(write.Stat) < second);
        Assert.True(second < third);
        Assert.Equal(second, clock.Latest);
        Assert.NotNull(await a.ExistsAsync(ZkPaths.Ltime, null, Ct));
    }

    [Fact]
    public async Task Events_of_different_queues_are_ordered_by_their_creation_time()
    {
        var zk = await SessionAsync();
        var trigger = new EventQueue(zk, ZkPaths.TenantTriggerEvents("t"));
        var result = new EventQueue(zk, ZkPaths.PipelineResultEvents("t", "gate"));
        await trigger.PutAsync(Bytes("1"), Ct);
        await result.PutAsync(Bytes("2"), Ct);
        await trigger.PutAsync(Bytes("3"), Ct);

        var merged = (await trigger.ReadAsync(Ct)).Concat(await result.ReadAsync(Ct)).OrderBy(e => e.Ltime).Select(e => Text(e.Payload));

        Assert.Equal(["1", "2", "3"], merged);
    }

    [Fact]
    public async Task The_latest_time_never_goes_back()
    {
        var clock = new ZkClock(await SessionAsync());
        var now = await clock.NowAsync(Ct);
        Assert.Equal(now, clock.Observe(new LogicalTime(1)));
        Assert.Equal(new LogicalTime(now.Zxid + 5), clock.Observe(new LogicalTime(now.Zxid + 5)));
        Assert.True(await clock.NowAsync(Ct) > now);
    }
}

public sealed class ZkClockTests : ZkClockContractTests<EmbeddedBackend>;

public sealed class ZkClockIntegrationTests : ZkClockContractTests<RealBackend>;

/// <summary>Pure checks of <see cref="LogicalTime"/>.</summary>
public sealed class LogicalTimeTests
{
    [Fact]
    public void A_zxid_splits_into_epoch_and_counter_and_orders_by_both()
    {
        var t = new LogicalTime(0x0000_0003_0000_0010);
        Assert.Equal(3, t.Epoch);
        Assert.Equal(16u, t.Counter);
        Assert.True(new LogicalTime(0x0000_0002_FFFF_FFFF) < t);
        Assert.Equal(t, LogicalTime.Max(t, new LogicalTime(5)));
        Assert.Equal("0x300000010", t.ToString());
        Assert.Equal(new LogicalTime(7), LogicalTime.Modified(new Stat(1, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
    }
}

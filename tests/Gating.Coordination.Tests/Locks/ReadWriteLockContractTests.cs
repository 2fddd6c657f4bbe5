using Gating.Coordination.Tests.Infrastructure;

namespace Gating.Coordination.Tests.Locks;

/// <summary>The read/write lock (Zuul's tenant layout lock), on both backends.</summary>
public abstract class ReadWriteLockContractTests<TBackend> : CoordinationTestBase<TBackend>
    where TBackend : ZooKeeperBackend, new()
{
    private const string LockPath = "/locks/tenant/t";

    [Fact]
    public async Task Readers_share_the_lock_and_a_writer_waits_for_all_of_them()
    {
        var a = await SessionAsync();
        var b = await SessionAsync();
        var w = await SessionAsync();
        var readA = await new ReadWriteLock(a, LockPath, Time).Read.AcquireAsync(Ct);
        var readB = await new ReadWriteLock(b, LockPath, Time).Read.TryAcquireAsync(Ct);
        Assert.NotNull(readB);
        Assert.Null(await new ReadWriteLock(w, LockPath, Time).Write.TryAcquireAsync(Ct));

        var writing = new ReadWriteLock(w, LockPath, Time).Write.AcquireAsync(Ct);
        await EventuallyAsync(async () => (await ZkLock.GetContendersAsync(a, LockPath, Ct)).Count == 3, "the writer queues");
        await readA.ReleaseAsync(Ct);
        await ReadersStillHold(a, 2);
        Assert.False(writing.IsCompleted);
        await readB.ReleaseAsync(Ct);
        await using var writer = await Within(writing, "the writer after both readers released");
        Assert.Equal(LockKind.Exclusive, Assert.Single(await ZkLock.GetContendersAsync(a, LockPath, Ct)).Kind);
    }

    [Fact]
    public async Task A_reader_that_arrives_after_a_waiting_writer_waits_behind_it()
    {
        var a = await SessionAsync();
        var w = await SessionAsync();
        var late = await SessionAsync();
        var read = await new ReadWriteLock(a, LockPath, Time).Read.AcquireAsync(Ct);
        var writing = new ReadWriteLock(w, LockPath, Time).Write.AcquireAsync(Ct);
        await EventuallyAsync(async () => (await ZkLock.GetContendersAsync(a, LockPath, Ct)).Count == 2, "the writer queues");

        Assert.Null(await new ReadWriteLock(late, LockPath, Time).Read.TryAcquireAsync(Ct));
        var lateReading = new ReadWriteLock(late, LockPath, Time).Read.AcquireAsync(Ct);
        await EventuallyAsync(async () => (await ZkLock.GetContendersAsync(a, LockPath, Ct)).Count == 3, "the late reader queues");

        await read.ReleaseAsync(Ct);
        var writer = await Within(writing, "the writer");
        Assert.False(lateReading.IsCompleted);
        await writer.ReleaseAsync(Ct);
        await using var lateReader = await Within(lateReading, "the late reader after the writer");
    }

    [Fact]
    public async Task A_writer_blocks_readers_until_it_releases()
    {
        var w = await SessionAsync();
        var r = await SessionAsync();
        var writer = await new ReadWriteLock(w, LockPath, Time).Write.AcquireAsync(Ct);
        Assert.Null(await new ReadWriteLock(r, LockPath, Time).Read.TryAcquireAsync(Ct));
        var reading = new ReadWriteLock(r, LockPath, Time).Read.AcquireAsync(Ct);
        await EventuallyAsync(async () => (await ZkLock.GetContendersAsync(w, LockPath, Ct)).Count == 2, "the reader queues");
        await writer.ReleaseAsync(Ct);
        await using var reader = await Within(reading, "the reader after the writer released");
    }

    private async Task ReadersStillHold(Gating.ZooKeeper.IZooKeeper zk, int contenders) =>
        Assert.Equal(contenders, (await ZkLock.GetContendersAsync(zk, LockPath, Ct)).Count);
}

public sealed class ReadWriteLockTests : ReadWriteLockContractTests<EmbeddedBackend>;

public sealed class ReadWriteLockIntegrationTests : ReadWriteLockContractTests<RealBackend>;

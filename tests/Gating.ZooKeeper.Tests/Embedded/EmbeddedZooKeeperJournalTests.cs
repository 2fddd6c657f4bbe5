using Gating.ZooKeeper.Embedded;

namespace Gating.ZooKeeper.Tests.Embedded;

/// <summary>Recovery from the journal and snapshots: torn tails, snapshot rotation, concurrent (group) commits.</summary>
public sealed class EmbeddedZooKeeperJournalTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static async Task WriteNodesAsync(EmbeddedZooKeeper store, string prefix, int count)
    {
        await using var zk = await store.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
        for (var i = 0; i < count; i++)
        {
            await zk.CreateAsync($"/{prefix}{i}", new byte[] { (byte)i }, CreateOptions.Persistent, Ct);
        }
    }

    private static string LastJournal(string directory) =>
        Directory.GetFiles(directory, "journal.*").Order(StringComparer.Ordinal).Last();

    [Fact]
    public async Task A_torn_record_at_the_end_is_discarded_and_the_journal_goes_on()
    {
        using var test = new EmbeddedTestStore();
        long zxid;
        await using (var store = await test.OpenAsync())
        {
            await WriteNodesAsync(store, "n", 10);
            zxid = store.LastZxid;
        }
        // A crash in the middle of a write: a record header that promises more than what follows.
        var journal = LastJournal(test.Directory);
        var length = new FileInfo(journal).Length;
        await using (var file = new FileStream(journal, FileMode.Append))
        {
            await file.WriteAsync(new byte[] { 200, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9 });
        }
        await using (var store = await test.OpenAsync())
        {
            Assert.Equal(zxid, store.LastZxid);
            Assert.Equal(length, new FileInfo(journal).Length);
            await WriteNodesAsync(store, "m", 3);
        }
        await using (var store = await test.OpenAsync())
        {
            await using var zk = await store.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
            var children = (await zk.GetChildrenAsync("/", null, Ct)).Children;
            Assert.Equal(14, children.Count); // 10 + 3 + "zookeeper"
        }
    }

    [Fact]
    public async Task A_half_written_last_record_is_detected_by_its_checksum()
    {
        using var test = new EmbeddedTestStore();
        await using (var store = await test.OpenAsync())
        {
            await WriteNodesAsync(store, "n", 5);
        }
        var journal = LastJournal(test.Directory);
        var bytes = await File.ReadAllBytesAsync(journal);
        bytes[^2] ^= 0xFF; // damage the payload of the last record (the CloseSession of the writer)
        await File.WriteAllBytesAsync(journal, bytes);
        await using (var store = await test.OpenAsync())
        {
            await using var zk = await store.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
            for (var i = 0; i < 5; i++)
            {
                Assert.NotNull(await zk.ExistsAsync($"/n{i}", null, Ct));
            }
            Assert.Equal(2, store.SessionIds.Count); // the writer's close was lost, so its session is back
        }
    }

    [Fact]
    public async Task Missing_history_is_an_error_not_silent_loss()
    {
        using var test = new EmbeddedTestStore();
        var options = test.Options with { SnapshotEveryTransactions = 4 };
        await using (var store = await test.OpenAsync(options))
        {
            await WriteNodesAsync(store, "n", 12);
        }
        var snapshots = Directory.GetFiles(test.Directory, "snapshot.*");
        Assert.NotEmpty(snapshots);
        foreach (var snapshot in snapshots)
        {
            File.Delete(snapshot);
        }
        // The remaining journal starts after the (now missing) snapshot: replaying it alone would lose writes.
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => test.OpenAsync(options));
        Assert.Contains("skips", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Snapshots_replace_old_journal_files_and_recover_the_same_tree()
    {
        using var test = new EmbeddedTestStore();
        var options = test.Options with { SnapshotEveryTransactions = 10 };
        DataState before;
        await using (var store = await test.OpenAsync(options))
        {
            await WriteNodesAsync(store, "n", 95);
            await using var zk = await store.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
            for (var i = 0; i < 30; i++)
            {
                await zk.SetDataAsync($"/n{i}", new byte[] { 1, 2, 3 }, -1, Ct);
            }
            await zk.DeleteAsync("/n94", -1, Ct);
            before = store.State;
        }
        Assert.True(Directory.GetFiles(test.Directory, "journal.*").Length <= 3, "old journal files are deleted");
        Assert.True(Directory.GetFiles(test.Directory, "snapshot.*").Length <= 2, "old snapshots are deleted");
        await using (var store = await test.OpenAsync(options))
        {
            StoreComparison.AssertSameTree(before, store.State);
            Assert.Equal(before.LastZxid + 1, store.LastZxid); // + the CloseSession of the last session
        }
    }

    [Fact]
    public async Task Concurrent_writers_are_committed_together_and_all_recovered()
    {
        using var test = new EmbeddedTestStore();
        await using (var store = await test.OpenAsync())
        {
            await using var zk = await store.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
            await Task.WhenAll(Enumerable.Range(0, 16).Select(async w =>
            {
                for (var i = 0; i < 25; i++)
                {
                    await zk.CreateAsync($"/w{w}-{i}", new byte[1024], CreateOptions.Persistent, Ct);
                }
            }));
        }
        await using (var store = await test.OpenAsync())
        {
            await using var zk = await store.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.Equal(16 * 25 + 3, await zk.GetAllChildrenNumberAsync("/", Ct)); // + /zookeeper, quota, config
        }
    }
}

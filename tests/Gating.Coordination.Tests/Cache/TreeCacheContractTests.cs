using Gating.Coordination.Tests.Infrastructure;
using Gating.ZooKeeper;

namespace Gating.Coordination.Tests.Cache;

/// <summary>The tree cache, on both backends.</summary>
public abstract class TreeCacheContractTests<TBackend> : CoordinationTestBase<TBackend>
    where TBackend : ZooKeeperBackend, new()
{
    private const string CacheRoot = "/executor/unzoned/requests";

    [Fact]
    public async Task The_first_load_holds_the_whole_subtree()
    {
        var writer = await SessionAsync();
        await writer.EnsurePathAsync(CacheRoot + "/a/deep", Ct);
        await writer.SetDataAsync(CacheRoot + "/a", Bytes("A"), ZooKeeperVersion.Any, Ct);
        await writer.CreateAsync(CacheRoot + "/b", Bytes("B"), CreateOptions.Persistent, Ct);
        await writer.CreateAsync("/executor/unzoned/locks", default, CreateOptions.Persistent, Ct); // outside the root

        await using var cache = new TreeCache(await SessionAsync(), CacheRoot);
        await cache.StartAsync(Ct);

        var snapshot = cache.Snapshot;
        Assert.True(cache.IsSynced);
        Assert.Equal([CacheRoot, CacheRoot + "/a", CacheRoot + "/a/deep", CacheRoot + "/b"], snapshot.Nodes.Keys);
        Assert.Equal("A", Text(snapshot.Get(CacheRoot + "/a")!.Data));
        Assert.Equal(["a", "b"], snapshot.ChildrenOf(CacheRoot).Select(n => ZkPaths.Name(n.Path)));
    }

    [Fact]
    public async Task Changes_by_another_session_reach_the_cache_in_order()
    {
        var writer = await SessionAsync();
        await writer.EnsurePathAsync(CacheRoot, Ct);
        await using var cache = new TreeCache(await SessionAsync(), CacheRoot);
        var events = new List<TreeCacheEvent>();
        cache.Changed += e => { lock (events) { events.Add(e); } };
        await cache.StartAsync(Ct);

        await writer.CreateAsync(CacheRoot + "/r1", Bytes("{\"state\":\"requested\"}"), CreateOptions.Persistent, Ct);
        await writer.CreateAsync(CacheRoot + "/r1/cancel", default, CreateOptions.Persistent, Ct);
        var set = await writer.SetDataAsync(CacheRoot + "/r1", Bytes("{\"state\":\"running\"}"), ZooKeeperVersion.Any, Ct);
        // The read that follows r1's creation may already see the later data: wait for both changes.
        await cache.WaitUntilAsync(s => s.Get(CacheRoot + "/r1")?.Stat.Mzxid == set.Mzxid && s.Get(CacheRoot + "/r1/cancel") is not null, Ct);
        Assert.Equal("{\"state\":\"running\"}", Text(cache.Snapshot.Get(CacheRoot + "/r1")!.Data));
        Assert.NotNull(cache.Snapshot.Get(CacheRoot + "/r1/cancel"));

        await writer.DeleteTreeAsync(CacheRoot + "/r1", Ct);
        await cache.WaitUntilAsync(s => s.Get(CacheRoot + "/r1") is null && s.Nodes.Count == 1, Ct);

        List<(TreeCacheEventType, string)> seen;
        lock (events)
        {
            seen = [.. events.Where(e => e.Path != CacheRoot).Select(e => (e.Type, e.Path))];
        }
        // Reads follow events, so a later state may arrive with an earlier event; the order of kinds per path holds.
        Assert.Equal((TreeCacheEventType.Added, CacheRoot + "/r1"), seen[0]);
        Assert.Equal((TreeCacheEventType.Removed, CacheRoot + "/r1"), seen[^1]);
        Assert.Contains((TreeCacheEventType.Added, CacheRoot + "/r1/cancel"), seen);
        Assert.Contains((TreeCacheEventType.Removed, CacheRoot + "/r1/cancel"), seen);
    }

    [Fact]
    public async Task Changes_missed_while_suspended_are_caught_up_after_reconnecting()
    {
        var writer = await SessionAsync();
        await writer.EnsurePathAsync(CacheRoot + "/kept", Ct);
        await writer.CreateAsync(CacheRoot + "/gone", default, CreateOptions.Persistent, Ct);
        var connection = new SuspendableZooKeeper(await SessionAsync());
        await using var cache = new TreeCache(connection, CacheRoot);
        await cache.StartAsync(Ct);

        connection.Suspend();
        Assert.False(cache.IsSynced);
        await writer.DeleteAsync(CacheRoot + "/gone", ZooKeeperVersion.Any, Ct);
        await writer.CreateAsync(CacheRoot + "/new", Bytes("n"), CreateOptions.Persistent, Ct);
        await writer.SetDataAsync(CacheRoot + "/kept", Bytes("k2"), ZooKeeperVersion.Any, Ct);
        await writer.SyncAsync(CacheRoot, Ct);
        Assert.NotNull(cache.Snapshot.Get(CacheRoot + "/gone")); // missed while suspended

        connection.Resume();
        var snapshot = await cache.WaitUntilAsync(s => s.Get(CacheRoot + "/new") is not null && s.Get(CacheRoot + "/gone") is null, Ct);

        Assert.Equal("k2", Text(snapshot.Get(CacheRoot + "/kept")!.Data));
        await EventuallyAsync(() => cache.IsSynced, "the cache to be in sync again");
    }

    [Fact]
    public async Task Disposing_the_cache_wakes_its_waiters()
    {
        var session = await SessionAsync();
        var cache = new TreeCache(session, CacheRoot);
        await cache.StartAsync(Ct);
        var waiting = cache.WaitUntilAsync(s => s.Get(CacheRoot + "/never") is not null, Ct);
        Assert.False(waiting.IsCompleted);

        await cache.DisposeAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => Within(waiting, "the waiter to wake"));
        await session.CreateWithParentsAsync(CacheRoot + "/never", default, CreateOptions.Persistent, Ct);
        Assert.Null(cache.Snapshot.Get(CacheRoot + "/never"));
    }

    [Fact]
    public async Task A_cache_whose_session_ends_reports_it_and_stops()
    {
        var session = await SessionAsync();
        await session.EnsurePathAsync(CacheRoot, Ct);
        var cache = new TreeCache(session, CacheRoot);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cache.Changed += e => { if (e.Type == TreeCacheEventType.Lost) { lost.TrySetResult(); } };
        await cache.StartAsync(Ct);

        await Backend.EndSessionAsync(session, Ct);

        await Within(lost.Task, "the Lost event");
        Assert.False(cache.IsSynced);
        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.WaitUntilAsync(s => s.Nodes.Count > 5, Ct));
        await cache.DisposeAsync();
    }
}

public sealed class TreeCacheTests : TreeCacheContractTests<EmbeddedBackend>;

public sealed class TreeCacheIntegrationTests : TreeCacheContractTests<RealBackend>;

using Gating.ZooKeeper.Embedded;
using Microsoft.Extensions.Time.Testing;

namespace Gating.ZooKeeper.Tests.Embedded;

/// <summary>Containers and TTL nodes go at the container check, as ZooKeeper's ContainerManager deletes them.</summary>
public sealed class EmbeddedZooKeeperContainerTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Used_empty_containers_and_expired_ttl_nodes_are_deleted_at_the_check()
    {
        var time = new FakeTimeProvider();
        await using var store = EmbeddedZooKeeper.OpenInMemory(new EmbeddedZooKeeperOptions { TimeProvider = time, ContainerCheckInterval = TimeSpan.FromSeconds(30) });
        await using var zk = await store.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
        await zk.CreateAsync("/used", default, CreateOptions.Container, Ct);
        await zk.CreateAsync("/used/item", default, CreateOptions.Persistent, Ct);
        await zk.CreateAsync("/full", default, CreateOptions.Container, Ct);
        await zk.CreateAsync("/full/item", default, CreateOptions.Persistent, Ct);
        await zk.CreateAsync("/never-used", default, CreateOptions.Container, Ct);
        await zk.CreateAsync("/ttl", default, new CreateOptions(CreateMode.PersistentWithTtl, TtlMilliseconds: 40_000), Ct);
        await zk.CreateAsync("/ttl-with-child", default, new CreateOptions(CreateMode.PersistentWithTtl, TtlMilliseconds: 1_000), Ct);
        await zk.CreateAsync("/ttl-with-child/c", default, CreateOptions.Persistent, Ct);
        await zk.DeleteAsync("/used/item", -1, Ct);
        var deleted = new List<WatchedEvent>();
        await zk.AddWatchAsync("/", AddWatchMode.PersistentRecursive, e => { lock (deleted) { deleted.Add(e); } }, Ct);

        time.Advance(TimeSpan.FromSeconds(30));
        await zk.SyncAsync("/", Ct);
        Assert.Null(await zk.ExistsAsync("/used", null, Ct));
        Assert.NotNull(await zk.ExistsAsync("/full", null, Ct));
        Assert.NotNull(await zk.ExistsAsync("/never-used", null, Ct));
        Assert.NotNull(await zk.ExistsAsync("/ttl", null, Ct)); // 30 s < 40 s since its last change
        Assert.NotNull(await zk.ExistsAsync("/ttl-with-child", null, Ct));

        time.Advance(TimeSpan.FromSeconds(30));
        await zk.SyncAsync("/", Ct);
        Assert.Null(await zk.ExistsAsync("/ttl", null, Ct));
        Assert.NotNull(await zk.ExistsAsync("/ttl-with-child", null, Ct));
        await EmbeddedTestStore.WaitUntilAsync(() => { lock (deleted) { return deleted.Count == 2; } }, "two NodeDeleted events arrive");
        Assert.Equal(
            [new WatchedEvent(WatchedEventType.NodeDeleted, "/used"), new WatchedEvent(WatchedEventType.NodeDeleted, "/ttl")],
            deleted);
    }
}

using Gating.ZooKeeper.Tests.TestServers;

namespace Gating.ZooKeeper.Tests.Client;

/// <summary>Every watch kind against the real server; event paths are relative to the chroot.</summary>
public sealed class ZooKeeperClientWatchIntegrationTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = RealZooKeeper.TestTimeout();
    private ZooKeeperClient _zk = null!;

    public async Task InitializeAsync() => _zk = await RealZooKeeper.ConnectRootedAsync("watch");

    public async Task DisposeAsync() => await _zk.DisposeAsync();

    [Fact]
    public async Task Data_watch_fires_once_on_change()
    {
        var events = new EventRecorder();
        await _zk.CreateAsync("/d", default, CreateOptions.Persistent, Ct);
        await _zk.GetDataAsync("/d", events.Watcher, Ct);
        await _zk.SetDataAsync("/d", new byte[] { 1 }, -1, Ct);
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDataChanged, "/d"), await events.NextAsync());
        await _zk.SetDataAsync("/d", new byte[] { 2 }, -1, Ct);
        await _zk.SyncAsync("/d", Ct);
        await _zk.ExistsAsync("/d", null, Ct); // a round trip after the second change: its event would be here by now
        Assert.False(events.TryNext(out _));
    }

    [Fact]
    public async Task Exists_watch_on_missing_node_fires_on_create_and_on_existing_node_fires_on_delete()
    {
        var events = new EventRecorder();
        Assert.Null(await _zk.ExistsAsync("/later", events.Watcher, Ct));
        await _zk.CreateAsync("/later", default, CreateOptions.Persistent, Ct);
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeCreated, "/later"), await events.NextAsync());
        Assert.NotNull(await _zk.ExistsAsync("/later", events.Watcher, Ct));
        await _zk.DeleteAsync("/later", -1, Ct);
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDeleted, "/later"), await events.NextAsync());
    }

    [Fact]
    public async Task Child_watch_fires_on_child_create_and_parent_delete()
    {
        var events = new EventRecorder();
        await _zk.CreateAsync("/c", default, CreateOptions.Persistent, Ct);
        await _zk.GetChildrenAsync("/c", events.Watcher, Ct);
        await _zk.CreateAsync("/c/x", default, CreateOptions.Persistent, Ct);
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeChildrenChanged, "/c"), await events.NextAsync());
        await _zk.DeleteAsync("/c/x", -1, Ct);
        await _zk.GetChildrenAsync("/c", events.Watcher, Ct);
        await _zk.DeleteAsync("/c", -1, Ct);
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDeleted, "/c"), await events.NextAsync());
    }

    [Fact]
    public async Task Persistent_watch_fires_repeatedly_for_the_node_only()
    {
        var events = new EventRecorder();
        await _zk.AddWatchAsync("/p", AddWatchMode.Persistent, events.Watcher, Ct);
        await _zk.CreateAsync("/p", default, CreateOptions.Persistent, Ct);
        await _zk.SetDataAsync("/p", new byte[] { 1 }, -1, Ct);
        await _zk.CreateAsync("/p/child", default, CreateOptions.Persistent, Ct);
        await _zk.SetDataAsync("/p/child", new byte[] { 1 }, -1, Ct);
        await _zk.SetDataAsync("/p", new byte[] { 2 }, -1, Ct);
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeCreated, "/p"), await events.NextAsync());
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDataChanged, "/p"), await events.NextAsync());
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeChildrenChanged, "/p"), await events.NextAsync());
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDataChanged, "/p"), await events.NextAsync());
    }

    [Fact]
    public async Task Recursive_watch_sees_the_subtree_without_child_events()
    {
        var events = new EventRecorder();
        await _zk.CreateAsync("/r", default, CreateOptions.Persistent, Ct);
        await _zk.AddWatchAsync("/r", AddWatchMode.PersistentRecursive, events.Watcher, Ct);
        await _zk.CreateAsync("/r/a", default, CreateOptions.Persistent, Ct);
        await _zk.CreateAsync("/r/a/b", default, CreateOptions.Persistent, Ct);
        await _zk.SetDataAsync("/r/a/b", new byte[] { 1 }, -1, Ct);
        await _zk.DeleteAsync("/r/a/b", -1, Ct);
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeCreated, "/r/a"), await events.NextAsync());
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeCreated, "/r/a/b"), await events.NextAsync());
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDataChanged, "/r/a/b"), await events.NextAsync());
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDeleted, "/r/a/b"), await events.NextAsync());
    }

    [Fact]
    public async Task Remove_watches_stops_events_and_tells_the_watcher()
    {
        var events = new EventRecorder();
        await _zk.CreateAsync("/rm", default, CreateOptions.Persistent, Ct);
        await _zk.GetDataAsync("/rm", events.Watcher, Ct);
        await _zk.RemoveWatchesAsync("/rm", WatcherType.Data, events.Watcher, Ct);
        Assert.Equal(new WatchedEvent(WatchedEventType.DataWatchRemoved, "/rm"), await events.NextAsync());
        await _zk.SetDataAsync("/rm", new byte[] { 1 }, -1, Ct);
        await _zk.SyncAsync("/rm", Ct);
        await _zk.ExistsAsync("/rm", null, Ct);
        Assert.False(events.TryNext(out _));
        var none = await Assert.ThrowsAsync<ZooKeeperException>(() => _zk.RemoveWatchesAsync("/rm", WatcherType.Data, events.Watcher, Ct));
        Assert.Equal(ErrorCode.NoWatcher, none.Code);
    }

    [Fact]
    public async Task Remove_persistent_watches_of_every_kind()
    {
        var events = new EventRecorder();
        await _zk.CreateAsync("/pw", default, CreateOptions.Persistent, Ct);
        await _zk.AddWatchAsync("/pw", AddWatchMode.Persistent, events.Watcher, Ct);
        await _zk.RemoveWatchesAsync("/pw", WatcherType.Any, null, Ct);
        Assert.Equal(new WatchedEvent(WatchedEventType.PersistentWatchRemoved, "/pw"), await events.NextAsync());
        await _zk.AddWatchAsync("/pw", AddWatchMode.PersistentRecursive, events.Watcher, Ct);
        await _zk.RemoveWatchesAsync("/pw", WatcherType.PersistentRecursive, events.Watcher, Ct);
        Assert.Equal(new WatchedEvent(WatchedEventType.PersistentWatchRemoved, "/pw"), await events.NextAsync());
        await _zk.SetDataAsync("/pw", new byte[] { 1 }, -1, Ct);
        await _zk.CreateAsync("/pw/x", default, CreateOptions.Persistent, Ct);
        await _zk.SyncAsync("/pw", Ct);
        await _zk.ExistsAsync("/pw", null, Ct);
        Assert.False(events.TryNext(out var extra), $"unexpected {extra}");
    }

    [Fact]
    public async Task A_watcher_set_twice_on_a_path_is_called_once()
    {
        var events = new EventRecorder();
        await _zk.CreateAsync("/twice", default, CreateOptions.Persistent, Ct);
        await _zk.GetDataAsync("/twice", events.Watcher, Ct);
        await _zk.ExistsAsync("/twice", events.Watcher, Ct);
        await _zk.DeleteAsync("/twice", -1, Ct);
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDeleted, "/twice"), await events.NextAsync());
        await _zk.SyncAsync("/", Ct);
        await _zk.ExistsAsync("/", null, Ct);
        Assert.False(events.TryNext(out _));
    }
}

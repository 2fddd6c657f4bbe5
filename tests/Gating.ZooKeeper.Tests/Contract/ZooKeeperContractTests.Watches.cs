namespace Gating.ZooKeeper.Tests.Contract;

/// <summary>One-shot, persistent and persistent-recursive watches: which events, in which order, and removal.</summary>
public abstract partial class ZooKeeperContractTests
{
    private static WatchedEvent Ev(WatchedEventType type, string path) => new(type, path);

    [Fact]
    public async Task Exists_watch_on_a_missing_node_fires_NodeCreated_once()
    {
        var zk = await SessionAsync();
        var other = await SecondSessionAsync();
        var w = new EventRecorder(EventTimeout);
        Assert.Null(await zk.ExistsAsync("/x", w.Watch, Ct));
        await CreateAsync(other, "/x");
        Assert.Equal(Ev(WatchedEventType.NodeCreated, "/x"), await w.NextAsync());
        await other.SetDataAsync("/x", Bytes("1"), -1, Ct);
        await FenceAsync(zk);
        Assert.Empty(w.Pending());
    }

    [Fact]
    public async Task Data_watches_fire_on_change_and_on_delete()
    {
        var zk = await SessionAsync();
        await CreateAsync(zk, "/x");
        var exists = new EventRecorder(EventTimeout);
        var data = new EventRecorder(EventTimeout);
        Assert.NotNull(await zk.ExistsAsync("/x", exists.Watch, Ct));
        await zk.GetDataAsync("/x", data.Watch, Ct);
        await zk.SetDataAsync("/x", Bytes("1"), -1, Ct);
        Assert.Equal(Ev(WatchedEventType.NodeDataChanged, "/x"), await exists.NextAsync());
        Assert.Equal(Ev(WatchedEventType.NodeDataChanged, "/x"), await data.NextAsync());
        await zk.GetDataAsync("/x", data.Watch, Ct);
        await zk.DeleteAsync("/x", -1, Ct);
        Assert.Equal(Ev(WatchedEventType.NodeDeleted, "/x"), await data.NextAsync());
        await FenceAsync(zk);
        Assert.Empty(exists.Pending());
    }

    [Fact]
    public async Task Child_watch_fires_on_child_changes_and_on_delete()
    {
        var zk = await SessionAsync();
        await CreateAsync(zk, "/p");
        var w = new EventRecorder(EventTimeout);
        await zk.GetChildrenAsync("/p", w.Watch, Ct);
        await zk.SetDataAsync("/p", Bytes("not a child change"), -1, Ct);
        await CreateAsync(zk, "/p/c");
        Assert.Equal(Ev(WatchedEventType.NodeChildrenChanged, "/p"), await w.NextAsync());
        await zk.GetChildrenAsync("/p", w.Watch, Ct);
        await zk.DeleteAsync("/p/c", -1, Ct);
        Assert.Equal(Ev(WatchedEventType.NodeChildrenChanged, "/p"), await w.NextAsync());
        await zk.GetChildrenAsync("/p", w.Watch, Ct);
        await zk.DeleteAsync("/p", -1, Ct);
        Assert.Equal(Ev(WatchedEventType.NodeDeleted, "/p"), await w.NextAsync());
        await FenceAsync(zk);
        Assert.Empty(w.Pending());
    }

    [Fact]
    public async Task Events_come_in_server_order_across_watches()
    {
        var zk = await SessionAsync();
        var writer = await SecondSessionAsync();
        await CreateAsync(zk, "/p");
        var w = new EventRecorder(EventTimeout);
        Assert.Null(await zk.ExistsAsync("/p/c", w.Watch, Ct));
        await zk.GetChildrenAsync("/p", w.Watch, Ct);
        await CreateAsync(writer, "/p/c");
        Assert.Equal(Ev(WatchedEventType.NodeCreated, "/p/c"), await w.NextAsync());
        Assert.Equal(Ev(WatchedEventType.NodeChildrenChanged, "/p"), await w.NextAsync());

        await zk.GetDataAsync("/p/c", w.Watch, Ct);
        await zk.GetChildrenAsync("/p", w.Watch, Ct);
        await writer.MultiAsync([new Op.SetData("/p/c", Bytes("1"), -1), new Op.Delete("/p/c", -1)], Ct);
        Assert.Equal(Ev(WatchedEventType.NodeDataChanged, "/p/c"), await w.NextAsync());
        Assert.Equal(Ev(WatchedEventType.NodeChildrenChanged, "/p"), await w.NextAsync());
    }

    [Fact]
    public async Task One_watcher_set_twice_on_a_path_is_called_once()
    {
        var zk = await SessionAsync();
        await CreateAsync(zk, "/x");
        var w = new EventRecorder(EventTimeout);
        await zk.GetDataAsync("/x", w.Watch, Ct);
        await zk.ExistsAsync("/x", w.Watch, Ct);
        await zk.GetChildrenAsync("/x", w.Watch, Ct);
        await zk.DeleteAsync("/x", -1, Ct);
        Assert.Equal(Ev(WatchedEventType.NodeDeleted, "/x"), await w.NextAsync());
        await FenceAsync(zk);
        Assert.Empty(w.Pending());
    }

    [Fact]
    public async Task Persistent_watch_sees_its_node_and_its_children_and_stays()
    {
        var zk = await SessionAsync();
        var writer = await SecondSessionAsync();
        var w = new EventRecorder(EventTimeout);
        await zk.AddWatchAsync("/p", AddWatchMode.Persistent, w.Watch, Ct);
        await CreateAsync(writer, "/p");
        await writer.SetDataAsync("/p", Bytes("1"), -1, Ct);
        await CreateAsync(writer, "/p/c");
        await CreateAsync(writer, "/p/c/grandchild");
        await writer.SetDataAsync("/p/c", Bytes("1"), -1, Ct);
        await writer.DeleteAsync("/p/c/grandchild", -1, Ct);
        await writer.DeleteAsync("/p/c", -1, Ct);
        await writer.DeleteAsync("/p", -1, Ct);
        await CreateAsync(writer, "/p");
        Assert.Equal(Ev(WatchedEventType.NodeCreated, "/p"), await w.NextAsync());
        Assert.Equal(Ev(WatchedEventType.NodeDataChanged, "/p"), await w.NextAsync());
        Assert.Equal(Ev(WatchedEventType.NodeChildrenChanged, "/p"), await w.NextAsync());
        Assert.Equal(Ev(WatchedEventType.NodeChildrenChanged, "/p"), await w.NextAsync());
        Assert.Equal(Ev(WatchedEventType.NodeDeleted, "/p"), await w.NextAsync());
        Assert.Equal(Ev(WatchedEventType.NodeCreated, "/p"), await w.NextAsync());
        await FenceAsync(zk);
        Assert.Empty(w.Pending());
    }

    [Fact]
    public async Task Persistent_recursive_watch_sees_the_subtree_without_child_events()
    {
        var zk = await SessionAsync();
        var writer = await SecondSessionAsync();
        var w = new EventRecorder(EventTimeout);
        await zk.AddWatchAsync("/r", AddWatchMode.PersistentRecursive, w.Watch, Ct);
        await CreateAsync(writer, "/r");
        await CreateAsync(writer, "/r/a");
        await CreateAsync(writer, "/r/a/b");
        await writer.SetDataAsync("/r/a/b", Bytes("1"), -1, Ct);
        await writer.DeleteAsync("/r/a/b", -1, Ct);
        await CreateAsync(writer, "/rx"); // a sibling with a common prefix is not in the subtree
        await writer.SetDataAsync("/r", Bytes("1"), -1, Ct);
        Assert.Equal(Ev(WatchedEventType.NodeCreated, "/r"), await w.NextAsync());
        Assert.Equal(Ev(WatchedEventType.NodeCreated, "/r/a"), await w.NextAsync());
        Assert.Equal(Ev(WatchedEventType.NodeCreated, "/r/a/b"), await w.NextAsync());
        Assert.Equal(Ev(WatchedEventType.NodeDataChanged, "/r/a/b"), await w.NextAsync());
        Assert.Equal(Ev(WatchedEventType.NodeDeleted, "/r/a/b"), await w.NextAsync());
        Assert.Equal(Ev(WatchedEventType.NodeDataChanged, "/r"), await w.NextAsync());
        await FenceAsync(zk);
        Assert.Empty(w.Pending());
    }

    [Fact]
    public async Task Removing_watches_tells_the_watcher_and_stops_events()
    {
        var zk = await SessionAsync();
        await CreateAsync(zk, "/x");
        var data = new EventRecorder(EventTimeout);
        var child = new EventRecorder(EventTimeout);
        await zk.GetDataAsync("/x", data.Watch, Ct);
        await zk.GetChildrenAsync("/x", child.Watch, Ct);
        await zk.RemoveWatchesAsync("/x", WatcherType.Data, data.Watch, Ct);
        Assert.Equal(Ev(WatchedEventType.DataWatchRemoved, "/x"), await data.NextAsync());
        await zk.RemoveWatchesAsync("/x", WatcherType.Children, child.Watch, Ct);
        Assert.Equal(Ev(WatchedEventType.ChildWatchRemoved, "/x"), await child.NextAsync());
        await ThrowsCodeAsync(ErrorCode.NoWatcher, () => zk.RemoveWatchesAsync("/x", WatcherType.Data, data.Watch, Ct));
        await CreateAsync(zk, "/x/c");
        await zk.SetDataAsync("/x", Bytes("1"), -1, Ct);
        await FenceAsync(zk);
        Assert.Empty(data.Pending());
        Assert.Empty(child.Pending());

        var any = new EventRecorder(EventTimeout);
        await zk.ExistsAsync("/x", any.Watch, Ct);
        await zk.GetChildrenAsync("/x", any.Watch, Ct);
        await zk.RemoveWatchesAsync("/x", WatcherType.Any, null, Ct);
        var removed = new[] { await any.NextAsync(), await any.NextAsync() };
        Assert.Equal(
            [Ev(WatchedEventType.ChildWatchRemoved, "/x"), Ev(WatchedEventType.DataWatchRemoved, "/x")],
            removed.OrderBy(e => e.Type == WatchedEventType.DataWatchRemoved));
        await zk.DeleteAsync("/x/c", -1, Ct);
        await FenceAsync(zk);
        Assert.Empty(any.Pending());
    }

    [Fact]
    public async Task Removing_any_watches_also_removes_persistent_ones()
    {
        var zk = await SessionAsync();
        await CreateAsync(zk, "/x");
        var persistent = new EventRecorder(EventTimeout);
        var recursive = new EventRecorder(EventTimeout);
        await zk.AddWatchAsync("/x", AddWatchMode.Persistent, persistent.Watch, Ct);
        await zk.AddWatchAsync("/x", AddWatchMode.PersistentRecursive, recursive.Watch, Ct);
        await zk.SetDataAsync("/x", Bytes("1"), -1, Ct);
        Assert.Equal(Ev(WatchedEventType.NodeDataChanged, "/x"), await persistent.NextAsync());
        Assert.Equal(Ev(WatchedEventType.NodeDataChanged, "/x"), await recursive.NextAsync());
        await zk.RemoveWatchesAsync("/x", WatcherType.Any, null, Ct);
        Assert.Equal(Ev(WatchedEventType.PersistentWatchRemoved, "/x"), await persistent.NextAsync());
        Assert.Equal(Ev(WatchedEventType.PersistentWatchRemoved, "/x"), await recursive.NextAsync());
        await zk.SetDataAsync("/x", Bytes("2"), -1, Ct);
        await CreateAsync(zk, "/x/c");
        await FenceAsync(zk);
        Assert.Empty(persistent.Pending());
        Assert.Empty(recursive.Pending());
    }
}

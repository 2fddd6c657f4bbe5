using Gating.ZooKeeper.Session;

namespace Gating.ZooKeeper.Tests.Client;

public sealed class WatchRegistryTests
{
    private readonly WatchRegistry _registry = new();
    private readonly Watcher _a = _ => { };
    private readonly Watcher _b = _ => { };

    [Fact]
    public void One_shot_watches_fire_once_persistent_ones_stay()
    {
        _registry.Register(WatchKind.Data, "/x", _a);
        _registry.Register(WatchKind.Persistent, "/x", _b);
        Assert.Equal([_a, _b], _registry.Materialize(WatchedEventType.NodeDataChanged, "/x"));
        Assert.Equal([_b], _registry.Materialize(WatchedEventType.NodeDataChanged, "/x"));
    }

    [Fact]
    public void Recursive_watches_see_descendants_but_not_child_events()
    {
        _registry.Register(WatchKind.PersistentRecursive, "/", _a);
        Assert.Equal([_a], _registry.Materialize(WatchedEventType.NodeCreated, "/a/b"));
        Assert.Empty(_registry.Materialize(WatchedEventType.NodeChildrenChanged, "/a"));
    }

    [Fact]
    public void Delete_fires_data_exist_and_child_watches_and_the_same_watcher_once()
    {
        _registry.Register(WatchKind.Data, "/x", _a);
        _registry.Register(WatchKind.Exist, "/x", _a);
        _registry.Register(WatchKind.Child, "/x", _b);
        Assert.Equal([_a, _b], _registry.Materialize(WatchedEventType.NodeDeleted, "/x"));
        Assert.True(_registry.Snapshot().IsEmpty);
    }

    [Fact]
    public void Child_events_fire_child_watches_only()
    {
        _registry.Register(WatchKind.Data, "/x", _a);
        _registry.Register(WatchKind.Child, "/x", _b);
        Assert.Equal([_b], _registry.Materialize(WatchedEventType.NodeChildrenChanged, "/x"));
        Assert.Equal(["/x"], _registry.Snapshot().Data);
    }

    [Fact]
    public void Remove_reports_the_event_each_removed_watcher_gets()
    {
        _registry.Register(WatchKind.Data, "/x", _a);
        _registry.Register(WatchKind.Child, "/x", _a);
        _registry.Register(WatchKind.Persistent, "/x", _b);
        Assert.Equal([(_a, WatchedEventType.DataWatchRemoved)], _registry.Remove("/x", WatcherType.Data, null));
        Assert.True(_registry.Contains("/x", WatcherType.Any, _a));
        Assert.Equal([(_a, WatchedEventType.ChildWatchRemoved), (_b, WatchedEventType.PersistentWatchRemoved)],
            _registry.Remove("/x", WatcherType.Any, null));
        Assert.False(_registry.Contains("/x", WatcherType.Any, null));
    }

    [Fact]
    public void Snapshot_lists_every_kind_for_set_watches()
    {
        _registry.Register(WatchKind.Data, "/d", _a);
        _registry.Register(WatchKind.Exist, "/e", _a);
        _registry.Register(WatchKind.Child, "/c", _a);
        _registry.Register(WatchKind.Persistent, "/p", _a);
        _registry.Register(WatchKind.PersistentRecursive, "/r", _a);
        var snapshot = _registry.Snapshot();
        Assert.Equal(["/d"], snapshot.Data);
        Assert.Equal(["/e"], snapshot.Exist);
        Assert.Equal(["/c"], snapshot.Child);
        Assert.Equal(["/p"], snapshot.Persistent);
        Assert.Equal(["/r"], snapshot.PersistentRecursive);
    }
}

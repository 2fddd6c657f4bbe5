namespace Gating.ZooKeeper.Embedded;

/// <summary>
/// One session's watches, in ZooKeeper's client tables (ZKWatchManager): data, exist and child one-shot watches,
/// persistent and persistent-recursive watches, keyed by server path. <see cref="Materialize"/> picks the watchers
/// of one event exactly as the Java client does; one-shot watches are removed as they fire. Guarded by the
/// server's watch lock.
/// </summary>
internal sealed class WatchRegistry
{
    private readonly Dictionary<string, HashSet<Watcher>> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Watcher>> _exist = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Watcher>> _child = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Watcher>> _persistent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Watcher>> _recursive = new(StringComparer.Ordinal);

    public bool IsEmpty => _data.Count + _exist.Count + _child.Count + _persistent.Count + _recursive.Count == 0;

    public void AddData(string path, Watcher watcher) => Add(_data, path, watcher);

    public void AddExist(string path, Watcher watcher) => Add(_exist, path, watcher);

    public void AddChild(string path, Watcher watcher) => Add(_child, path, watcher);

    public void AddPersistent(string path, AddWatchMode mode, Watcher watcher) =>
        Add(mode == AddWatchMode.PersistentRecursive ? _recursive : _persistent, path, watcher);

    /// <summary>The watchers one event reaches (each once), removing the one-shot ones that fire.</summary>
    public List<Watcher> Materialize(string path, WatchedEventType type)
    {
        var result = new List<Watcher>();
        var seen = new HashSet<Watcher>();
        switch (type)
        {
            case WatchedEventType.NodeCreated or WatchedEventType.NodeDataChanged:
                Take(_data, path, result, seen);
                Take(_exist, path, result, seen);
                break;
            case WatchedEventType.NodeChildrenChanged:
                Take(_child, path, result, seen);
                break;
            case WatchedEventType.NodeDeleted:
                Take(_data, path, result, seen);
                Take(_exist, path, result, seen);
                Take(_child, path, result, seen);
                break;
        }
        if (_persistent.TryGetValue(path, out var persistent))
        {
            AddAll(persistent, result, seen);
        }
        // Persistent recursive watches promise no child events (ZooKeeper's addPersistentWatches).
        if (type != WatchedEventType.NodeChildrenChanged && _recursive.Count > 0)
        {
            foreach (var ancestor in PathRules.SelfAndAncestors(path))
            {
                if (_recursive.TryGetValue(ancestor, out var recursive))
                {
                    AddAll(recursive, result, seen);
                }
            }
        }
        return result;
    }

    /// <summary>
    /// Removes watchers of a type from a path (all of them when <paramref name="watcher"/> is null) and returns each
    /// removed watcher with the event it must receive; empty when nothing matched (the caller reports NoWatcher).
    /// </summary>
    public List<(Watcher Watcher, WatchedEventType Event)> Remove(string path, WatcherType type, Watcher? watcher)
    {
        var removed = new List<(Watcher, WatchedEventType)>();
        if (type is WatcherType.Children or WatcherType.Any)
        {
            RemoveFrom(_child, path, watcher, WatchedEventType.ChildWatchRemoved, removed);
        }
        if (type is WatcherType.Data or WatcherType.Any)
        {
            RemoveFrom(_data, path, watcher, WatchedEventType.DataWatchRemoved, removed);
            RemoveFrom(_exist, path, watcher, WatchedEventType.DataWatchRemoved, removed);
        }
        if (type is WatcherType.Persistent or WatcherType.Any)
        {
            RemoveFrom(_persistent, path, watcher, WatchedEventType.PersistentWatchRemoved, removed);
        }
        if (type is WatcherType.PersistentRecursive or WatcherType.Any)
        {
            RemoveFrom(_recursive, path, watcher, WatchedEventType.PersistentWatchRemoved, removed);
        }
        // A watcher removed from several tables hears once per event type, as the Java client's map of sets does.
        return removed.Distinct().ToList();
    }

    public void Clear()
    {
        _data.Clear();
        _exist.Clear();
        _child.Clear();
        _persistent.Clear();
        _recursive.Clear();
    }

    private static void Add(Dictionary<string, HashSet<Watcher>> table, string path, Watcher watcher)
    {
        if (!table.TryGetValue(path, out var set))
        {
            table[path] = set = [];
        }
        set.Add(watcher);
    }

    private static void Take(Dictionary<string, HashSet<Watcher>> table, string path, List<Watcher> result, HashSet<Watcher> seen)
    {
        if (table.Remove(path, out var set))
        {
            AddAll(set, result, seen);
        }
    }

    private static void AddAll(HashSet<Watcher> set, List<Watcher> result, HashSet<Watcher> seen)
    {
        foreach (var watcher in set)
        {
            if (seen.Add(watcher))
            {
                result.Add(watcher);
            }
        }
    }

    private static void RemoveFrom(
        Dictionary<string, HashSet<Watcher>> table, string path, Watcher? watcher, WatchedEventType type,
        List<(Watcher, WatchedEventType)> removed)
    {
        if (!table.TryGetValue(path, out var set))
        {
            return;
        }
        if (watcher is null)
        {
            foreach (var w in set)
            {
                removed.Add((w, type));
            }
            table.Remove(path);
            return;
        }
        if (set.Remove(watcher))
        {
            removed.Add((watcher, type));
            if (set.Count == 0)
            {
                table.Remove(path);
            }
        }
    }
}

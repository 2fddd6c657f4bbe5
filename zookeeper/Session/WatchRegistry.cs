using Gating.ZooKeeper.Protocol;

namespace Gating.ZooKeeper.Session;

/// <summary>The kinds of watch a session can hold; <see cref="Exists"/> becomes Data or Exist by the reply.</summary>
internal enum WatchKind
{
    Data,
    Exist,
    Child,
    Persistent,
    PersistentRecursive,

    /// <summary>Set by exists: a data watch when the node exists, an exist watch when it does not.</summary>
    Exists,
}

/// <summary>A watch to register once the server confirms it (paths are server paths).</summary>
internal sealed record WatchRegistration(WatchKind Kind, string ServerPath, Watcher Watcher);

/// <summary>
/// The client side of a session's watches, keyed by server path, as ZooKeeper's ZKWatchManager keeps them:
/// one-shot data, exist and child watches are removed when they fire; persistent and persistent-recursive ones
/// stay until removed. The whole set is re-sent with SetWatches2 when the session re-attaches.
/// </summary>
internal sealed class WatchRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Watcher>>[] _byKind =
        [new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal)];

    public void Register(WatchKind kind, string serverPath, Watcher watcher)
    {
        lock (_lock)
        {
            var table = _byKind[(int)kind];
            if (!table.TryGetValue(serverPath, out var list))
            {
                table[serverPath] = list = [];
            }
            if (!list.Contains(watcher))
            {
                list.Add(watcher);
            }
        }
    }

    /// <summary>The watchers an event triggers (each once), removing the one-shot ones.</summary>
    public List<Watcher> Materialize(WatchedEventType type, string serverPath)
    {
        var result = new List<Watcher>();
        lock (_lock)
        {
            switch (type)
            {
                case WatchedEventType.NodeCreated or WatchedEventType.NodeDataChanged:
                    Take(WatchKind.Data, serverPath, result);
                    Take(WatchKind.Exist, serverPath, result);
                    break;
                case WatchedEventType.NodeChildrenChanged:
                    Take(WatchKind.Child, serverPath, result);
                    break;
                case WatchedEventType.NodeDeleted:
                    Take(WatchKind.Data, serverPath, result);
                    Take(WatchKind.Exist, serverPath, result);
                    Take(WatchKind.Child, serverPath, result);
                    break;
            }
            Add(WatchKind.Persistent, serverPath, result);
            // A recursive watch sees changes below it but not child-list changes (the server does not send them).
            if (type != WatchedEventType.NodeChildrenChanged)
            {
                for (var path = serverPath; path.Length > 0; path = Parent(path))
                {
                    Add(WatchKind.PersistentRecursive, path, result);
                }
            }
        }
        return result;
    }

    /// <summary>True when a watch of this removal type exists at the path (for the given watcher, if any).</summary>
    public bool Contains(string serverPath, WatcherType type, Watcher? watcher)
    {
        lock (_lock)
        {
            return KindsOf(type).Any(kind => _byKind[(int)kind].TryGetValue(serverPath, out var list)
                                             && (watcher is null || list.Contains(watcher)));
        }
    }

    /// <summary>Removes watches of a removal type from a path; returns each removed watcher with the event it gets.</summary>
    public List<(Watcher Watcher, WatchedEventType Event)> Remove(string serverPath, WatcherType type, Watcher? watcher)
    {
        var removed = new List<(Watcher, WatchedEventType)>();
        lock (_lock)
        {
            foreach (var kind in KindsOf(type))
            {
                var table = _byKind[(int)kind];
                if (!table.TryGetValue(serverPath, out var list))
                {
                    continue;
                }
                var eventType = kind switch
                {
                    WatchKind.Child => WatchedEventType.ChildWatchRemoved,
                    WatchKind.Data or WatchKind.Exist => WatchedEventType.DataWatchRemoved,
                    _ => WatchedEventType.PersistentWatchRemoved,
                };
                foreach (var w in list.Where(w => watcher is null || w == watcher))
                {
                    if (!removed.Exists(r => r.Item1 == w && r.Item2 == eventType))
                    {
                        removed.Add((w, eventType));
                    }
                }
                list.RemoveAll(w => watcher is null || w == watcher);
                if (list.Count == 0)
                {
                    table.Remove(serverPath);
                }
            }
        }
        return removed;
    }

    public WatchSnapshot Snapshot()
    {
        lock (_lock)
        {
            return new WatchSnapshot(Keys(WatchKind.Data), Keys(WatchKind.Exist), Keys(WatchKind.Child),
                Keys(WatchKind.Persistent), Keys(WatchKind.PersistentRecursive));
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            foreach (var table in _byKind)
            {
                table.Clear();
            }
        }
    }

    private static WatchKind[] KindsOf(WatcherType type) => type switch
    {
        WatcherType.Children => [WatchKind.Child],
        WatcherType.Data => [WatchKind.Data, WatchKind.Exist],
        WatcherType.Persistent => [WatchKind.Persistent],
        WatcherType.PersistentRecursive => [WatchKind.PersistentRecursive],
        _ => [WatchKind.Data, WatchKind.Exist, WatchKind.Child, WatchKind.Persistent, WatchKind.PersistentRecursive],
    };

    private static string Parent(string path)
    {
        if (path == "/")
        {
            return "";
        }
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    private string[] Keys(WatchKind kind) => [.. _byKind[(int)kind].Keys];

    private void Take(WatchKind kind, string path, List<Watcher> result)
    {
        if (_byKind[(int)kind].Remove(path, out var list))
        {
            AddDistinct(list, result);
        }
    }

    private void Add(WatchKind kind, string path, List<Watcher> result)
    {
        if (_byKind[(int)kind].TryGetValue(path, out var list))
        {
            AddDistinct(list, result);
        }
    }

    private static void AddDistinct(List<Watcher> from, List<Watcher> result)
    {
        foreach (var watcher in from)
        {
            if (!result.Contains(watcher))
            {
                result.Add(watcher);
            }
        }
    }
}

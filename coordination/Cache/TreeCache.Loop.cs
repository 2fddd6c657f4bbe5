using System.Collections.Immutable;
using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>The loop of <see cref="TreeCache"/>: applies events and full walks to the snapshot.</summary>
public sealed partial class TreeCache
{
    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var work in _work.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    if (work is null)
                    {
                        await ResyncAsync(cancellationToken);
                    }
                    else
                    {
                        await ApplyAsync(work, cancellationToken);
                    }
                }
                catch (ZooKeeperException e) when (e.IsRetryable)
                {
                    // The connection dropped mid-read: the reconnect asks for a full walk, which covers this change.
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _stopped = true;
            return;
        }
        catch (ZooKeeperException e) when (e.Code is ErrorCode.SessionExpired or ErrorCode.ClientClosed)
        {
            // Fall through to Lost.
        }
        _stopped = true;
        if (!cancellationToken.IsCancellationRequested)
        {
            Publish(Snapshot.Nodes, [new TreeCacheEvent(TreeCacheEventType.Lost, Root, null)]);
        }
    }

    private async Task ApplyAsync(WatchedEvent e, CancellationToken cancellationToken)
    {
        if (e.Type is not (WatchedEventType.NodeCreated or WatchedEventType.NodeDataChanged or WatchedEventType.NodeDeleted))
        {
            return; // recursive watches send no child events; removal notices need nothing
        }
        var nodes = Snapshot.Nodes;
        var events = new List<TreeCacheEvent>();
        var fresh = e.Type == WatchedEventType.NodeDeleted ? null : await _zk.TryGetDataAsync(e.Path, null, cancellationToken);
        if (fresh is null)
        {
            nodes = RemoveSubtree(nodes, e.Path, events);
        }
        else
        {
            nodes = Upsert(nodes, new CachedNode(e.Path, fresh.Data, fresh.Stat), events);
        }
        Publish(nodes, events);
    }

    /// <summary>Walks the whole tree and replaces the cache with it, reporting the differences.</summary>
    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, CachedNode>(StringComparer.Ordinal);
        var pending = new Stack<string>([Root]);
        while (pending.TryPop(out var path))
        {
            var node = await _zk.TryGetDataAsync(path, null, cancellationToken);
            if (node is null)
            {
                continue;
            }
            found[path] = new CachedNode(path, node.Data, node.Stat);
            foreach (var child in await _zk.TryGetChildrenAsync(path, cancellationToken))
            {
                pending.Push(ZkPaths.Join(path, child));
            }
        }
        var nodes = Snapshot.Nodes;
        var events = new List<TreeCacheEvent>();
        foreach (var gone in nodes.Keys.Where(p => !found.ContainsKey(p)).ToList())
        {
            events.Add(new TreeCacheEvent(TreeCacheEventType.Removed, gone, nodes[gone]));
            nodes = nodes.Remove(gone);
        }
        foreach (var node in found.Values.OrderBy(n => n.Path, StringComparer.Ordinal))
        {
            nodes = Upsert(nodes, node, events);
        }
        _synced = _zk.State == ConnectionState.Connected;
        events.Add(new TreeCacheEvent(TreeCacheEventType.Synced, Root, null));
        Publish(nodes, events);
    }

    private static ImmutableSortedDictionary<string, CachedNode> Upsert(ImmutableSortedDictionary<string, CachedNode> nodes, CachedNode node, List<TreeCacheEvent> events)
    {
        if (nodes.TryGetValue(node.Path, out var old))
        {
            if (old.Stat.Czxid == node.Stat.Czxid && old.Stat.Mzxid >= node.Stat.Mzxid)
            {
                return nodes; // nothing newer (an event for a change we already read)
            }
            events.Add(new TreeCacheEvent(TreeCacheEventType.Updated, node.Path, node));
        }
        else
        {
            events.Add(new TreeCacheEvent(TreeCacheEventType.Added, node.Path, node));
        }
        return nodes.SetItem(node.Path, node);
    }

    private static ImmutableSortedDictionary<string, CachedNode> RemoveSubtree(ImmutableSortedDictionary<string, CachedNode> nodes, string path, List<TreeCacheEvent> events)
    {
        var prefix = path + "/";
        foreach (var (key, node) in nodes.Where(kv => kv.Key == path || kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Reverse().ToList())
        {
            events.Add(new TreeCacheEvent(TreeCacheEventType.Removed, key, node));
            nodes = nodes.Remove(key);
        }
        return nodes;
    }

    private void Publish(ImmutableSortedDictionary<string, CachedNode> nodes, List<TreeCacheEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }
        TaskCompletionSource changed;
        lock (_lock)
        {
            _snapshot = new TreeSnapshot(nodes, _snapshot.Generation + 1);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        foreach (var e in events)
        {
            Changed?.Invoke(e);
        }
        changed.TrySetResult();
    }
}

using System.Collections.Immutable;
using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>One cached znode.</summary>
public sealed record CachedNode(string Path, byte[] Data, Stat Stat);

/// <summary>What changed in a <see cref="TreeCache"/>.</summary>
public enum TreeCacheEventType
{
    Added,
    Updated,
    Removed,

    /// <summary>A full (re)load finished: the cache matches the server as of that load.</summary>
    Synced,

    /// <summary>The session is lost: the cache stays as it was and no longer follows the server.</summary>
    Lost,
}

/// <summary>A change of a <see cref="TreeCache"/>; <see cref="Node"/> is the new node (the old one for Removed).</summary>
public sealed record TreeCacheEvent(TreeCacheEventType Type, string Path, CachedNode? Node);

/// <summary>An immutable view of the cached tree at one moment.</summary>
public sealed record TreeSnapshot(ImmutableSortedDictionary<string, CachedNode> Nodes, long Generation)
{
    public static readonly TreeSnapshot Empty = new(ImmutableSortedDictionary.Create<string, CachedNode>(StringComparer.Ordinal), 0);

    /// <summary>The node at <paramref name="path"/>, or null.</summary>
    public CachedNode? Get(string path) => Nodes.GetValueOrDefault(path);

    /// <summary>The direct children of <paramref name="path"/>, by name.</summary>
    public IReadOnlyList<CachedNode> ChildrenOf(string path)
    {
        var prefix = path == "/" ? "/" : path + "/";
        return [.. Nodes.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) && kv.Key.Length > prefix.Length
            && kv.Key.IndexOf('/', prefix.Length) < 0).Select(kv => kv.Value)];
    }
}

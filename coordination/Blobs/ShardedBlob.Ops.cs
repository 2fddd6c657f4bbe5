using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>
/// A blob's writes as ops for a caller's own transaction: a caller that writes many small blobs (job request
/// parameters) puts each blob's creation into the multi that also creates the object the blob belongs to, instead of
/// one commit per blob. The layout is the one <see cref="ReadAsync"/> reads.
/// </summary>
public sealed partial class ShardedBlob
{
    /// <summary>
    /// The op that creates a new blob at <paramref name="path"/> holding <paramref name="data"/> inline, in one znode
    /// (the parent must exist). Null when the compressed data exceeds one shard: use <see cref="WriteAsync"/>. A blob
    /// already there makes the multi fail with NodeExists.
    /// </summary>
    public IReadOnlyList<Op>? CreateOps(string path, ReadOnlyMemory<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var compressed = Compress(data.Span);
        if (compressed.Length + 1 > _shardBytes)
        {
            return null;
        }
        var node = new byte[compressed.Length + 1];
        node[0] = InlineMarker;
        compressed.CopyTo(node, 1);
        return [new Op.Create(path, node, CreateOptions.Persistent)];
    }

    /// <summary>
    /// Reads the blob's header and returns the ops that delete the whole blob in one multi (shards, generation,
    /// header, children before parents; an inline blob is its one node); none when there is no blob. A generation the header does not name (left by
    /// a crashed writer) makes the header's delete fail with NotEmpty: the caller then falls back to
    /// <see cref="DeleteAsync"/>.
    /// </summary>
    public async Task<IReadOnlyList<Op>> DeleteOpsAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var current = await ReadHeaderAsync(path, cancellationToken);
        if (current is null)
        {
            return [];
        }
        var ops = new List<Op>();
        if (current.Value.Header is { } header)
        {
            ops.AddRange(Enumerable.Range(0, header.Shards).Select(i => new Op.Delete(ShardPath(path, header.Generation, i), ZooKeeperVersion.Any)));
            ops.Add(new Op.Delete(ZkPaths.Join(path, header.Generation), ZooKeeperVersion.Any));
        }
        ops.Add(new Op.Delete(path, ZooKeeperVersion.Any));
        return ops;
    }
}

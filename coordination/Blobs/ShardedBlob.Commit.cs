using System.IO.Compression;
using System.Text.Json;
using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>The commit, the header, orphan cleanup and compression of <see cref="ShardedBlob"/>.</summary>
public sealed partial class ShardedBlob
{
    /// <summary>The header write always comes first: its result is the blob's new stat.</summary>
    private static List<Op> CommitOps(string path, string generation, List<ReadOnlyMemory<byte>> shards, BlobHeader header,
        (BlobHeader? Header, Stat Stat)? current, bool inline)
    {
        var headerBytes = JsonSerializer.SerializeToUtf8Bytes(header);
        var ops = new List<Op>
        {
            current is null
                ? new Op.Create(path, headerBytes, CreateOptions.Persistent)
                : new Op.SetData(path, headerBytes, current.Value.Stat.Version),
        };
        var generationPath = ZkPaths.Join(path, generation);
        if (inline)
        {
            ops.Add(new Op.Create(generationPath, default, CreateOptions.Persistent));
            ops.AddRange(shards.Select((shard, i) => new Op.Create(ShardPath(path, generation, i), shard, CreateOptions.Persistent)));
        }
        else
        {
            // Shards written earlier must all still be there: a cleaner may have removed an uncommitted generation.
            ops.Add(new Op.Check(generationPath, 0));
            ops.AddRange(shards.Select((_, i) => new Op.Check(ShardPath(path, generation, i), 0)));
        }
        if (current?.Header is { } old && old.Generation != generation)
        {
            ops.AddRange(Enumerable.Range(0, old.Shards).Select(i => new Op.Delete(ShardPath(path, old.Generation, i), ZooKeeperVersion.Any)));
            ops.Add(new Op.Delete(ZkPaths.Join(path, old.Generation), ZooKeeperVersion.Any));
        }
        return ops;
    }

    /// <summary>The header for writers: an inline blob reads as a header naming no generation (nothing to delete
    /// when a write replaces it).</summary>
    private async Task<(BlobHeader? Header, Stat Stat)?> ReadHeaderAsync(string path, CancellationToken cancellationToken) =>
        await ReadHeadAsync(path, cancellationToken) is { } head ? (head.Header, head.Stat) : null;

    private async Task<(BlobHeader? Header, Stat Stat, ReadOnlyMemory<byte>? Inline)?> ReadHeadAsync(string path, CancellationToken cancellationToken)
    {
        var result = await _zk.TryGetDataAsync(path, null, cancellationToken);
        if (result is null)
        {
            return null;
        }
        if (result.Data.Length == 0)
        {
            return (null, result.Stat, null); // made by a writer that has not committed yet
        }
        if (result.Data[0] == InlineMarker)
        {
            return (null, result.Stat, result.Data.AsMemory(1));
        }
        var header = JsonSerializer.Deserialize<BlobHeader>(result.Data)
            ?? throw new InvalidDataException($"the sharded blob {path} has an unreadable header");
        return (header, result.Stat, null);
    }

    /// <summary>With <see cref="ZooKeeperVersion.Any"/>, a header that changed (or appeared) under us is a lost race
    /// to retry; with an expected version it is the caller's conflict.</summary>
    private static bool IsLostRace(ZooKeeperMultiException e, List<Op> ops, string path, int expectedVersion) =>
        expectedVersion == ZooKeeperVersion.Any && FailedOn(e, ops) is { } op && op.Path == path
        && e.Code is ErrorCode.BadVersion or ErrorCode.NodeExists;

    private static Op? FailedOn(ZooKeeperMultiException e, List<Op> ops)
    {
        for (var i = 0; i < e.Results.Count && i < ops.Count; i++)
        {
            if (e.Results[i] is OpResult.Error { Code: not ErrorCode.Ok and not ErrorCode.RuntimeInconsistency })
            {
                return ops[i];
            }
        }
        return null;
    }

    /// <summary>
    /// Removes generations a crashed or beaten writer left behind. Each removal is one multi that also checks the
    /// header is unchanged, so a generation that became current meanwhile is never removed; generations created
    /// after the current one was committed may be writes in progress and are left alone.
    /// </summary>
    private async Task SweepOrphansAsync(string path, string ours, CancellationToken cancellationToken)
    {
        var children = await _zk.TryGetChildrenAsync(path, cancellationToken);
        if (children.Count <= 1)
        {
            return;
        }
        var current = await ReadHeaderAsync(path, cancellationToken);
        if (current?.Header is not { } header)
        {
            return;
        }
        foreach (var child in children.Where(c => c != header.Generation && c != ours))
        {
            var generationPath = ZkPaths.Join(path, child);
            var stat = await _zk.ExistsAsync(generationPath, null, cancellationToken);
            if (stat is null || stat.Value.Czxid > current.Value.Stat.Mzxid)
            {
                continue;
            }
            var ops = new List<Op> { new Op.Check(path, current.Value.Stat.Version) };
            ops.AddRange((await _zk.TryGetChildrenAsync(generationPath, cancellationToken)).Select(s => new Op.Delete(ZkPaths.Join(generationPath, s), ZooKeeperVersion.Any)));
            ops.Add(new Op.Delete(generationPath, ZooKeeperVersion.Any));
            try
            {
                await _zk.MultiAsync(ops, cancellationToken);
            }
            catch (ZooKeeperMultiException)
            {
                return; // the blob changed meanwhile: the next write sweeps again
            }
        }
    }

    private byte[] Compress(ReadOnlySpan<byte> data) => Zlib.Compress(data, _compression);

    private static byte[] DecompressAll(ReadOnlyMemory<byte> compressed) => Zlib.Decompress(new MemoryStream(compressed.ToArray()));

    private static byte[] Decompress(ReadOnlySpan<byte> compressed, int length) => Zlib.Decompress(compressed, length);
}

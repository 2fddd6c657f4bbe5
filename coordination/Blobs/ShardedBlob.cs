using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>
/// State larger than one znode: the bytes are deflated (zlib, as Zuul does) and split into shards under the znode
/// limit. Layout: the blob's node holds a small header naming the current generation
/// (<c>&lt;path&gt;/g-&lt;uuid&gt;</c>), whose children <c>0000000000</c>, <c>0000000001</c>... are the shards.
/// A write puts its shards into a fresh generation, then commits with one multi that checks every new shard, points
/// the header at the new generation (compare-and-set on the header's version) and deletes the old generation. A write
/// whose shards all fit in one request does all of it in that single multi. A reader reads the header, then the shards
/// of that generation; a shard gone means a newer commit won, and it reads again: every read sees one whole write.
/// A small blob made by <see cref="CreateOps"/> is inline instead: its node holds <see cref="InlineMarker"/> and the
/// zlib bytes, with no generation (one znode, one op); a later write replaces it with the sharded form.
/// </summary>
public sealed partial class ShardedBlob
{
    private const int MaxReadAttempts = 20;
    private readonly IZooKeeper _zk;
    private readonly int _shardBytes;
    private readonly CompressionLevel _compression;

    /// <param name="shardBytes">The largest shard; also the budget of one multi's payload. ZooKeeper's default
    /// jute.maxbuffer is 1 MiB for the whole request, so the default leaves room for paths and framing.</param>
    /// <param name="compression">How hard writes compress: <see cref="CompressionLevel.Fastest"/> for many short-lived
    /// blobs (job parameters, read once), where the time matters more than the bytes. Readers need not know.</param>
    public ShardedBlob(IZooKeeper zk, int shardBytes = DefaultShardBytes, CompressionLevel compression = CompressionLevel.Optimal)
    {
        ArgumentNullException.ThrowIfNull(zk);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardBytes, 1);
        _zk = zk;
        _shardBytes = shardBytes;
        _compression = compression;
    }

    /// <summary>The first byte of an inline blob's node (a header is JSON and starts with '{').</summary>
    public const byte InlineMarker = 0x01;

    /// <summary>Zuul's NODE_BYTE_SIZE_LIMIT.</summary>
    public const int DefaultShardBytes = 1_000_000;

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="path"/> (parents are created). With
    /// <paramref name="expectedVersion"/> other than <see cref="ZooKeeperVersion.Any"/>, the write succeeds only if the
    /// header still has that version (BadVersion otherwise; NoNode if the blob does not exist) and nothing of it stays
    /// behind. Returns the header's new stat (its version for the next compare-and-set, its mzxid as a logical time).
    /// </summary>
    public async Task<Stat> WriteAsync(string path, ReadOnlyMemory<byte> data, int expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var compressed = Compress(data.Span);
        var shards = Split(compressed);
        var generation = "g-" + Guid.NewGuid().ToString("N");
        var header = new BlobHeader(generation, shards.Count, data.Length, Convert.ToHexStringLower(SHA256.HashData(data.Span)));
        await _zk.EnsurePathAsync(ZkPaths.Parent(path), cancellationToken);
        var shardsWritten = false;
        try
        {
            while (true)
            {
                var current = await ReadHeaderAsync(path, cancellationToken);
                if (expectedVersion != ZooKeeperVersion.Any)
                {
                    if (current is null)
                    {
                        throw ZooKeeperException.From(ErrorCode.NoNode, path);
                    }
                    if (current.Value.Stat.Version != expectedVersion)
                    {
                        throw ZooKeeperException.From(ErrorCode.BadVersion, path);
                    }
                }
                var inline = !shardsWritten && compressed.Length <= _shardBytes;
                if (!inline && !shardsWritten)
                {
                    await WriteShardsAsync(path, generation, shards, current is null, cancellationToken);
                    shardsWritten = true;
                }
                var ops = CommitOps(path, generation, shards, header, current, inline);
                try
                {
                    var results = await _zk.MultiAsync(ops, cancellationToken);
                    var committed = results[0] switch
                    {
                        OpResult.SetData set => set.Stat,
                        OpResult.Create created => created.Stat,
                        _ => throw new InvalidOperationException("the commit's first op writes the header"),
                    };
                    await SweepOrphansAsync(path, generation, cancellationToken);
                    return committed;
                }
                catch (ZooKeeperMultiException e) when (IsLostRace(e, ops, path, expectedVersion))
                {
                    // Another writer committed (or made the blob) between our read and our commit: with Any, the last
                    // writer wins, so commit again over the new header.
                }
                catch (ZooKeeperMultiException e) when (shardsWritten && FailedOn(e, ops) is Op.Check)
                {
                    // A cleaner removed our not-yet-committed generation: write it again.
                    shardsWritten = false;
                }
            }
        }
        catch
        {
            if (shardsWritten)
            {
                await TryDeleteGenerationAsync(ZkPaths.Join(path, generation));
            }
            throw;
        }
    }

    /// <summary>Reads the whole blob, or null when there is none. The stat is the header's.</summary>
    public async Task<BlobContent?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxReadAttempts; attempt++)
        {
            var current = await ReadHeadAsync(path, cancellationToken);
            if (current?.Inline is { } inline)
            {
                return new BlobContent(DecompressAll(inline), current.Value.Stat);
            }
            if (current?.Header is not { } header)
            {
                return null; // no blob, or the first write has not committed yet
            }
            var stat = current.Value.Stat;
            var compressed = new MemoryStream();
            var complete = true;
            for (var i = 0; i < header.Shards && complete; i++)
            {
                var shard = await _zk.TryGetDataAsync(ShardPath(path, header.Generation, i), null, cancellationToken);
                if (shard is null)
                {
                    complete = false;
                }
                else
                {
                    compressed.Write(shard.Data);
                }
            }
            if (!complete)
            {
                continue; // a newer write replaced this generation while we read it
            }
            var data = Decompress(compressed.GetBuffer().AsSpan(0, (int)compressed.Length), header.Length);
            if (Convert.ToHexStringLower(SHA256.HashData(data)) != header.Sha256)
            {
                throw new InvalidDataException($"the sharded blob {path} does not match its checksum (generation {header.Generation})");
            }
            return new BlobContent(data, stat);
        }
        throw new ZooKeeperException(ErrorCode.OperationTimeout, path, $"the sharded blob {path} kept changing during {MaxReadAttempts} reads");
    }

    /// <summary>Deletes the blob and all its shards.</summary>
    public Task DeleteAsync(string path, CancellationToken cancellationToken) => _zk.DeleteTreeAsync(path, cancellationToken);

    /// <summary>The number of znodes the blob uses now (header, generations, shards): for tests and stats.</summary>
    public Task<int> CountNodesAsync(string path, CancellationToken cancellationToken) => _zk.GetAllChildrenNumberAsync(path, cancellationToken);

    private static string ShardPath(string path, string generation, int index) => $"{path}/{generation}/{index:D10}";

    private List<ReadOnlyMemory<byte>> Split(byte[] compressed)
    {
        var shards = new List<ReadOnlyMemory<byte>>();
        for (var offset = 0; offset < compressed.Length || shards.Count == 0; offset += _shardBytes)
        {
            shards.Add(compressed.AsMemory(offset, Math.Min(_shardBytes, compressed.Length - offset)));
        }
        return shards;
    }

    /// <summary>Writes a generation's shards before the commit, in multis under the request budget. A blob that does
    /// not exist yet gets an empty header first, so the shards have a parent.</summary>
    private async Task WriteShardsAsync(string path, string generation, List<ReadOnlyMemory<byte>> shards, bool missing, CancellationToken cancellationToken)
    {
        if (missing)
        {
            try
            {
                await _zk.CreateAsync(path, default, CreateOptions.Persistent, cancellationToken);
            }
            catch (ZooKeeperException e) when (e.Code == ErrorCode.NodeExists)
            {
                // Another writer made it.
            }
        }
        var generationPath = ZkPaths.Join(path, generation);
        await _zk.CreateAsync(generationPath, default, CreateOptions.Persistent, cancellationToken);
        var batch = new List<Op>();
        var batchBytes = 0;
        for (var i = 0; i < shards.Count; i++)
        {
            if (batch.Count > 0 && batchBytes + shards[i].Length > _shardBytes)
            {
                await _zk.MultiAsync(batch, cancellationToken);
                batch.Clear();
                batchBytes = 0;
            }
            batch.Add(new Op.Create(ShardPath(path, generation, i), shards[i], CreateOptions.Persistent));
            batchBytes += shards[i].Length;
        }
        await _zk.MultiAsync(batch, cancellationToken);
    }

    private async Task TryDeleteGenerationAsync(string generationPath)
    {
        try
        {
            await _zk.DeleteTreeAsync(generationPath, CancellationToken.None);
        }
        catch (ZooKeeperException)
        {
            // Left as an orphan generation; the next successful write of this blob removes it.
        }
    }
}

/// <summary>A blob's bytes and its header's stat.</summary>
public sealed record BlobContent(byte[] Data, Stat Stat);

/// <summary>What a blob's node holds: the current generation and how to check it.</summary>
internal sealed record BlobHeader(
    [property: JsonPropertyName("generation")] string Generation,
    [property: JsonPropertyName("shards")] int Shards,
    [property: JsonPropertyName("length")] int Length,
    [property: JsonPropertyName("sha256")] string Sha256);

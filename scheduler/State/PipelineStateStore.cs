using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Gating.Coordination;
using Gating.Model;
using Gating.ZooKeeper;

namespace Gating.Scheduler.State;

/// <summary>
/// Reads and writes a pipeline's <see cref="PipelineRecord"/> as a small header znode
/// (<c>ZkPaths.Pipeline(tenant, pipeline)/state</c>) plus one immutable part znode per queue item and per change
/// (<c>.../parts/&lt;pass&gt;-&lt;id&gt;.&lt;n&gt;</c>). A write creates parts only for what changed (an unchanged
/// item is the same object, or failing that serialises to the same bytes), under new names, and commits with one
/// compare-and-set on the header that switches the manifest; parts it no longer names go in the same transaction
/// when it fits. A scheduler that lost the pipeline lock cannot overwrite a newer record, and a crash before the
/// header write leaves only orphan parts, which no header names and the next writer removes.
/// Reads are cached: refreshing an unchanged record costs one small read, a changed one the header plus the parts
/// under names not seen before (a part never changes once written).
/// A carried-out outbox is marked in a small node (<c>outbox-done</c>, the pass number) instead of rewriting the
/// record; a record whose pass is at or below the mark reads as having an empty outbox.
/// </summary>
public sealed partial class PipelineStateStore
{
    private const int MaxReadAttempts = 20;
    private readonly IZooKeeper _zk;
    private readonly int _requestBytes;
    private readonly Action<string>? _checkpoint;
    private readonly Dictionary<string, CommittedRecord> _cache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _doneUpTo = new(StringComparer.Ordinal);

    /// <param name="zk">The session.</param>
    /// <param name="checkpoint">Called where a crash is worth testing (parts written, header not yet).</param>
    /// <param name="requestBytes">The payload budget of one transaction (ZooKeeper's jute.maxbuffer is 1 MiB for the
    /// whole request); larger writes create their parts in several transactions before the commit.</param>
    public PipelineStateStore(IZooKeeper zk, Action<string>? checkpoint = null, int requestBytes = DefaultRequestBytes)
    {
        ArgumentNullException.ThrowIfNull(zk);
        ArgumentOutOfRangeException.ThrowIfLessThan(requestBytes, 1024);
        _zk = zk;
        _checkpoint = checkpoint;
        _requestBytes = requestBytes;
    }

    /// <summary>The default transaction budget.</summary>
    public const int DefaultRequestBytes = 900_000;

    /// <summary>The header's path.</summary>
    public static string PathOf(string tenant, string pipeline) => ZkPaths.Pipeline(tenant, pipeline) + "/state";

    /// <summary>The folder of the part znodes.</summary>
    public static string PartsPathOf(string tenant, string pipeline) => ZkPaths.Pipeline(tenant, pipeline) + "/parts";

    private static string OutboxDonePath(string tenant, string pipeline) => ZkPaths.Pipeline(tenant, pipeline) + "/outbox-done";

    /// <summary>The manifest key of a change (the connection is part of its identity).</summary>
    internal static string ChangePartKey(ChangeKey key) => $"{key.Connection}:{key}";

    /// <summary>The record and its version (-1 when none exists yet).</summary>
    public async Task<(PipelineRecord Record, int Version)> ReadAsync(string tenant, string pipeline, CancellationToken cancellationToken)
    {
        var committed = await ReadCommittedAsync(tenant, pipeline, cancellationToken);
        if (committed is null)
        {
            return (PipelineRecord.Empty(tenant, pipeline), -1);
        }
        var record = committed.Record;
        if (!record.Outbox.IsEmpty && await _zk.TryGetDataAsync(OutboxDonePath(tenant, pipeline), null, cancellationToken) is { } done
            && long.Parse(Encoding.UTF8.GetString(done.Data), CultureInfo.InvariantCulture) >= record.Pass)
        {
            record = record with { Outbox = [] };
        }
        return (record, committed.Version);
    }

    /// <summary>
    /// True when this instance's cached copy of the record is current and has nothing left to carry out (one small
    /// read); false when it must look closer (no cached copy, a newer record, or an outbox).
    /// </summary>
    public async Task<bool> IsSettledAsync(string tenant, string pipeline, CancellationToken cancellationToken)
    {
        var path = PathOf(tenant, pipeline);
        if (!_cache.TryGetValue(path, out var cached))
        {
            return false;
        }
        var stat = await _zk.ExistsAsync(path, null, cancellationToken);
        return stat is { } current && current.Version == cached.Version
            && (cached.Record.Outbox.IsEmpty || _doneUpTo.GetValueOrDefault(path, -1) >= cached.Record.Pass);
    }

    /// <summary>Marks the outbox of pass <paramref name="pass"/> as carried out.</summary>
    public async Task MarkOutboxDoneAsync(string tenant, string pipeline, long pass, CancellationToken cancellationToken)
    {
        var data = Encoding.UTF8.GetBytes(pass.ToString(CultureInfo.InvariantCulture));
        _doneUpTo[PathOf(tenant, pipeline)] = pass;
        try
        {
            await _zk.SetDataAsync(OutboxDonePath(tenant, pipeline), data, ZooKeeperVersion.Any, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
        {
            await _zk.CreateWithParentsAsync(OutboxDonePath(tenant, pipeline), data, CreateOptions.Persistent, cancellationToken);
        }
    }

    /// <summary>The committed record as this instance knows it, refreshed from the store; null when none exists.</summary>
    private async Task<CommittedRecord?> ReadCommittedAsync(string tenant, string pipeline, CancellationToken cancellationToken)
    {
        var path = PathOf(tenant, pipeline);
        _cache.TryGetValue(path, out var cached);
        if (cached is not null && await _zk.ExistsAsync(path, null, cancellationToken) is { } stat && stat.Version == cached.Version)
        {
            return cached;
        }
        for (var attempt = 0; attempt < MaxReadAttempts; attempt++)
        {
            var node = await _zk.TryGetDataAsync(path, null, cancellationToken);
            if (node is null)
            {
                _cache.Remove(path);
                return null;
            }
            var loaded = await TryLoadAsync(tenant, pipeline, node, cached, cancellationToken);
            if (loaded is not null)
            {
                _cache[path] = loaded;
                return loaded;
            }
            // A newer commit removed a part of the header we read: read the new header.
        }
        throw new ZooKeeperException(ErrorCode.OperationTimeout, path, $"the state of {tenant}/{pipeline} kept changing during {MaxReadAttempts} reads");
    }

    /// <summary>The record of one header read, with the parts it names; null when one of them is gone.</summary>
    private async Task<CommittedRecord?> TryLoadAsync(string tenant, string pipeline, DataResult node, CommittedRecord? cached, CancellationToken cancellationToken)
    {
        var parts = PartsPathOf(tenant, pipeline);
        var (compressed, chunks) = PartCodec.ReadHeader(node.Data);
        byte[] headerJson;
        if (compressed is not null)
        {
            headerJson = PartCodec.Unpack([compressed]);
        }
        else
        {
            var pieces = await ReadPiecesAsync(parts, [.. chunks], cancellationToken);
            if (pieces is null)
            {
                return null;
            }
            headerJson = PartCodec.Unpack(pieces);
        }
        var header = JsonSerializer.Deserialize<StoredHeader>(headerJson, SchedulerJson.Options)
            ?? throw new InvalidDataException($"the state header of {tenant}/{pipeline} is null");
        var items = LoadPartsAsync<QueueItem>(parts, header.Items, cached?.Items, cancellationToken);
        var changes = LoadPartsAsync<Change>(parts, header.Changes, cached?.Changes, cancellationToken);
        var graphs = LoadPartsAsync<JobGraph>(parts, header.Graphs ?? ImmutableDictionary<string, ImmutableArray<string>>.Empty, cached?.Graphs, cancellationToken);
        var (loadedItems, loadedChanges, loadedGraphs) = (await items, await changes, await graphs);
        if (loadedItems is null || loadedChanges is null || loadedGraphs is null)
        {
            return null;
        }
        // Items read anew hold their buildset without its graph; cached ones may hold an older graph object.
        foreach (var (id, graph) in loadedGraphs)
        {
            var part = loadedItems[id];
            var item = (QueueItem)part.Value;
            if (!ReferenceEquals(item.BuildSet.JobGraph, graph.Value))
            {
                loadedItems = loadedItems.SetItem(id, part with { Value = item with { BuildSet = item.BuildSet with { JobGraph = (JobGraph)graph.Value } } });
            }
        }
        var state = header.State with
        {
            Items = loadedItems.ToImmutableDictionary(p => p.Key, p => (QueueItem)p.Value.Value, StringComparer.Ordinal),
            Changes = loadedChanges.Values.Select(p => (Change)p.Value).ToImmutableDictionary(c => c.Key),
        };
        var record = new PipelineRecord(state, header.Outbox, header.Consumed, header.Pass);
        return new CommittedRecord(node.Stat.Version, record, loadedItems, loadedChanges, loadedGraphs, [.. chunks]);
    }

    /// <summary>The parts a manifest names: those under names this instance has seen come from its cache, the rest
    /// are read concurrently (the client pipelines them). Null when one is gone.</summary>
    private async Task<ImmutableDictionary<string, StoredPart>?> LoadPartsAsync<T>(string parts, ImmutableDictionary<string, ImmutableArray<string>> manifest,
        ImmutableDictionary<string, StoredPart>? cached, CancellationToken cancellationToken)
        where T : class
    {
        var result = ImmutableDictionary.CreateBuilder<string, StoredPart>(StringComparer.Ordinal);
        var reads = new List<(string Key, ImmutableArray<string> Names, Task<List<byte[]>?> Pieces)>();
        foreach (var (key, names) in manifest)
        {
            if (cached is not null && cached.TryGetValue(key, out var known) && known.Names.SequenceEqual(names))
            {
                result[key] = known;
            }
            else
            {
                reads.Add((key, names, ReadPiecesAsync(parts, names, cancellationToken)));
            }
        }
        foreach (var (key, names, task) in reads)
        {
            if (await task is not { } pieces)
            {
                return null;
            }
            var json = PartCodec.Unpack(pieces);
            var value = JsonSerializer.Deserialize<T>(json, SchedulerJson.Options)
                ?? throw new InvalidDataException($"the state part {names[0]} is null");
            result[key] = new StoredPart(value, names, System.Security.Cryptography.SHA256.HashData(json));
        }
        return result.ToImmutable();
    }

    private async Task<List<byte[]>?> ReadPiecesAsync(string parts, ImmutableArray<string> names, CancellationToken cancellationToken)
    {
        var reads = names.Select(n => _zk.TryGetDataAsync($"{parts}/{n}", null, cancellationToken)).ToList();
        var pieces = new List<byte[]>(reads.Count);
        foreach (var read in reads)
        {
            if (await read is not { } piece)
            {
                return null;
            }
            pieces.Add(piece.Data);
        }
        return pieces;
    }
}

using System.Collections.Immutable;
using System.Text.Json;
using Gating.Coordination;
using Gating.Model;
using Gating.ZooKeeper;

namespace Gating.Scheduler.State;

/// <summary>The write side of <see cref="PipelineStateStore"/>: diff, parts, commit, orphan sweep.</summary>
public sealed partial class PipelineStateStore
{
    private readonly HashSet<string> _swept = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ensured = new(StringComparer.Ordinal);

    /// <summary>What the last <see cref="WriteAsync"/> did (for tests and the benchmark).</summary>
    public StateWriteStats LastWrite { get; private set; } = new(0, 0, 0, 0, 0, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>Writes the record if its version is still <paramref name="expectedVersion"/>; returns the new version.</summary>
    /// <exception cref="ZooKeeperException">BadVersion (or NodeExists/NoNode) when another writer got there first.</exception>
    public async Task<int> WriteAsync(string tenant, string pipeline, PipelineRecord record, int expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var path = PathOf(tenant, pipeline);
        var parts = PartsPathOf(tenant, pipeline);
        var basis = _cache.GetValueOrDefault(path);
        if ((basis?.Version ?? -1) != expectedVersion)
        {
            basis = expectedVersion < 0 ? null : await ReadCommittedAsync(tenant, pipeline, cancellationToken);
            if ((basis?.Version ?? -1) != expectedVersion)
            {
                throw ZooKeeperException.From(expectedVersion < 0 ? ErrorCode.NodeExists : ErrorCode.BadVersion, path);
            }
        }
        if (_ensured.Add(path))
        {
            await _zk.EnsurePathAsync(parts, cancellationToken);
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var batch = new NewParts($"{record.Pass}-{Guid.NewGuid().ToString("N")[..12]}", _requestBytes / 2);
        var items = Diff(record.State.Items.Select(p => (p.Key, (object)p.Value)), typeof(QueueItem), basis?.Items, batch, WithoutGraph);
        var changes = Diff(record.State.Changes.Select(p => (ChangePartKey(p.Key), (object)p.Value)), typeof(Change), basis?.Changes, batch, v => v);
        var graphs = Diff(record.State.Items.Where(p => HasGraphApart(p.Value)).Select(p => (p.Key, (object)p.Value.BuildSet.JobGraph!)),
            typeof(JobGraph), basis?.Graphs, batch, v => v);
        var header = new StoredHeader(
            record.State with { Items = ImmutableDictionary<string, QueueItem>.Empty, Changes = ImmutableDictionary<ChangeKey, Change>.Empty },
            record.Outbox, record.Consumed, record.Pass,
            items.ToImmutableDictionary(p => p.Key, p => p.Value.Names, StringComparer.Ordinal),
            changes.ToImmutableDictionary(p => p.Key, p => p.Value.Names, StringComparer.Ordinal),
            graphs.ToImmutableDictionary(p => p.Key, p => p.Value.Names, StringComparer.Ordinal));
        var headerPieces = PartCodec.Pack(JsonSerializer.SerializeToUtf8Bytes(header, SchedulerJson.Options), batch.PieceBytes);
        ImmutableArray<string> chunks = [];
        byte[] headerBytes;
        if (headerPieces.Count == 1 && headerPieces[0].Length <= _requestBytes / 4)
        {
            headerBytes = PartCodec.InlineHeader(headerPieces[0]);
        }
        else
        {
            chunks = batch.Add(headerPieces);
            headerBytes = PartCodec.ChunkedHeader(chunks);
        }

        var committed = new CommittedRecord(-1, record, items, changes, graphs, chunks);
        var kept = committed.Names.ToHashSet(StringComparer.Ordinal);
        var superseded = basis is null ? [] : basis.Names.Where(n => !kept.Contains(n)).Distinct(StringComparer.Ordinal).ToList();
        var encoded = System.Diagnostics.Stopwatch.GetTimestamp();
        var version = await CommitAsync(path, parts, headerBytes, expectedVersion, batch.Created, superseded, cancellationToken);
        _cache[path] = committed with { Version = version };
        LastWrite = new StateWriteStats(items.Count + changes.Count + graphs.Count, batch.Created.Count, batch.Created.Sum(c => c.Data.Length) + headerBytes.Length, superseded.Count, batch.Serialized,
            System.Diagnostics.Stopwatch.GetElapsedTime(started, encoded), System.Diagnostics.Stopwatch.GetElapsedTime(encoded));
        if (_swept.Add(path))
        {
            await SweepOrphansAsync(path, parts, version, kept, cancellationToken);
        }
        return version;
    }

    /// <summary>
    /// The parts of the new record: an entry whose value is the same object as, or serialises to the same bytes as,
    /// the committed one keeps its znodes; any other gets new ones.
    /// </summary>
    private static ImmutableDictionary<string, StoredPart> Diff(IEnumerable<(string Key, object Value)> values, Type type,
        ImmutableDictionary<string, StoredPart>? committed, NewParts batch, Func<object, object> stored)
    {
        var result = ImmutableDictionary.CreateBuilder<string, StoredPart>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            StoredPart? old = null;
            if (committed?.TryGetValue(key, out old) == true && ReferenceEquals(old!.Value, value))
            {
                result[key] = old;
                continue;
            }
            var (json, digest) = PartCodec.Serialize(stored(value), type);
            batch.Serialized++;
            if (old is not null && old.Digest.AsSpan().SequenceEqual(digest))
            {
                result[key] = old with { Value = value }; // the next pass compares by reference again
                continue;
            }
            result[key] = new StoredPart(value, batch.Add(PartCodec.Pack(json, batch.PieceBytes)), digest);
        }
        return result.ToImmutable();
    }

    private static bool HasGraphApart(QueueItem item) => item.BuildSet.JobGraph is { Jobs.IsEmpty: false };

    /// <summary>An item as its own part holds it: its job graph, if it has jobs, is a part of its own.</summary>
    private static object WithoutGraph(object value) =>
        value is QueueItem item && HasGraphApart(item) ? item with { BuildSet = item.BuildSet with { JobGraph = null } } : value;

    /// <summary>
    /// One transaction when everything fits: the header's compare-and-set, the new parts and the deletion of the
    /// superseded ones. Otherwise the new parts go first in transactions of their own, and the commit checks they are
    /// all still there (a sweeper removes parts no header names).
    /// </summary>
    private async Task<int> CommitAsync(string path, string parts, byte[] headerBytes, int expectedVersion,
        List<(string Name, byte[] Data)> created, List<string> superseded, CancellationToken cancellationToken)
    {
        Op headerOp = expectedVersion < 0
            ? new Op.Create(path, headerBytes, CreateOptions.Persistent)
            : new Op.SetData(path, headerBytes, expectedVersion);
        var deletes = superseded.Select(n => (Op)new Op.Delete($"{parts}/{n}", ZooKeeperVersion.Any)).ToList();
        var createdBytes = created.Sum(c => c.Data.Length + parts.Length + c.Name.Length + 32);
        var overhead = headerBytes.Length + path.Length + deletes.Count * (parts.Length + 48);
        var ops = new List<Op> { headerOp };
        var preWritten = false;
        if (createdBytes + overhead <= _requestBytes)
        {
            ops.AddRange(created.Select(c => new Op.Create($"{parts}/{c.Name}", c.Data, CreateOptions.Persistent)));
        }
        else
        {
            await CreatePartsAsync(parts, created, cancellationToken);
            preWritten = true;
            _checkpoint?.Invoke("state-parts-written");
            ops.AddRange(created.Select(c => new Op.Check($"{parts}/{c.Name}", 0)));
        }
        var deleteAfter = overhead + created.Count * (parts.Length + 48) > _requestBytes;
        if (!deleteAfter)
        {
            ops.AddRange(deletes);
        }
        try
        {
            var results = await _zk.MultiAsync(ops, cancellationToken);
            var version = results[0] switch
            {
                OpResult.SetData set => set.Stat.Version,
                OpResult.Create => 0,
                _ => throw new InvalidOperationException("the commit's first op writes the header"),
            };
            if (deleteAfter)
            {
                await RunInBatchesAsync(deletes, cancellationToken);
            }
            return version;
        }
        catch (ZooKeeperMultiException e)
        {
            if (preWritten)
            {
                await RunInBatchesAsync([.. created.Select(c => (Op)new Op.Delete($"{parts}/{c.Name}", ZooKeeperVersion.Any))], CancellationToken.None, ignoreErrors: true);
            }
            // The header is the first op: its error (BadVersion, NodeExists, NoNode) is the caller's conflict.
            throw e.Results.Count > 0 && e.Results[0] is OpResult.Error { Code: not ErrorCode.Ok and not ErrorCode.RuntimeInconsistency } first
                ? ZooKeeperException.From(first.Code, path)
                : e;
        }
    }

    private async Task CreatePartsAsync(string parts, List<(string Name, byte[] Data)> created, CancellationToken cancellationToken)
    {
        var batches = new List<List<Op>>();
        var current = new List<Op>();
        var bytes = 0;
        foreach (var (name, data) in created)
        {
            if (current.Count > 0 && bytes + data.Length + 256 > _requestBytes)
            {
                batches.Add(current);
                current = [];
                bytes = 0;
            }
            current.Add(new Op.Create($"{parts}/{name}", data, CreateOptions.Persistent));
            bytes += data.Length + 256;
        }
        batches.Add(current);
        await Task.WhenAll(batches.Where(b => b.Count > 0).Select(b => _zk.MultiAsync(b, cancellationToken)));
    }

    private async Task RunInBatchesAsync(List<Op> ops, CancellationToken cancellationToken, bool ignoreErrors = false)
    {
        foreach (var chunk in ops.Chunk(1000))
        {
            try
            {
                await _zk.MultiAsync(chunk, cancellationToken);
            }
            catch (ZooKeeperException) when (ignoreErrors)
            {
                // Left as orphans: the next writer's sweep removes them.
            }
        }
    }

    /// <summary>
    /// Removes parts no committed header names: left by a writer that crashed (or lost a race) between its parts and
    /// its header. Each removal checks the header is still the one just committed, so a part a newer commit names is
    /// never removed; a part of a writer still in flight is, and its commit then fails on its check.
    /// </summary>
    private async Task SweepOrphansAsync(string path, string parts, int version, HashSet<string> kept, CancellationToken cancellationToken)
    {
        var orphans = (await _zk.TryGetChildrenAsync(parts, cancellationToken)).Where(n => !kept.Contains(n)).ToList();
        foreach (var chunk in orphans.Chunk(1000))
        {
            var ops = new List<Op> { new Op.Check(path, version) };
            ops.AddRange(chunk.Select(n => new Op.Delete($"{parts}/{n}", ZooKeeperVersion.Any)));
            try
            {
                await _zk.MultiAsync(ops, cancellationToken);
            }
            catch (ZooKeeperMultiException)
            {
                _swept.Remove(path); // the header moved on (or a part went meanwhile): sweep after the next write
                return;
            }
        }
    }

    /// <summary>Parts created by one write, named <c>&lt;stamp&gt;.&lt;n&gt;</c> (the stamp is the pass and a random tag,
    /// so a crashed pass's orphans never collide with the retry's names).</summary>
    private sealed class NewParts(string stamp, int pieceBytes)
    {
        private int _next;

        public int PieceBytes => pieceBytes;

        public int Serialized { get; set; }

        public List<(string Name, byte[] Data)> Created { get; } = [];

        public ImmutableArray<string> Add(List<byte[]> pieces)
        {
            var names = ImmutableArray.CreateBuilder<string>(pieces.Count);
            foreach (var piece in pieces)
            {
                var name = $"{stamp}.{_next++}";
                Created.Add((name, piece));
                names.Add(name);
            }
            return names.MoveToImmutable();
        }
    }
}

/// <summary>What one state write did.</summary>
/// <param name="Parts">Parts the record has (items and changes).</param>
/// <param name="Created">Part znodes created (changed entries, header chunks).</param>
/// <param name="Bytes">Bytes written (created parts and the header).</param>
/// <param name="Deleted">Superseded part znodes deleted.</param>
/// <param name="Serialized">Entries serialised to compare (not the same object as the committed one).</param>
/// <param name="Encoding">Time spent diffing, serialising and deflating.</param>
/// <param name="Committing">Time spent in ZooKeeper (parts, commit, sweep).</param>
public sealed record StateWriteStats(int Parts, int Created, int Bytes, int Deleted, int Serialized, TimeSpan Encoding, TimeSpan Committing);

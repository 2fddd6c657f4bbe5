using System.Globalization;
using System.Text;
using System.Text.Json;
using Gating.Coordination;
using Gating.ZooKeeper;

namespace Gating.Scheduler.State;

/// <summary>
/// Reads and writes a pipeline's <see cref="PipelineRecord"/> as a sharded blob at
/// <c>ZkPaths.Pipeline(tenant, pipeline)/record</c>. Writes compare-and-set on the blob header's version: a
/// scheduler that lost the pipeline lock (or never had it) cannot overwrite a newer record. Reads are cached by
/// header version: refreshing an unchanged record costs one small read, not the whole blob.
/// A carried-out outbox is marked in a small node (<c>outbox-done</c>, the pass number) instead of rewriting the
/// whole record; a record whose pass is at or below the mark reads as having an empty outbox.
/// </summary>
public sealed class PipelineStateStore(IZooKeeper zk)
{
    private readonly ShardedBlob _blob = new(zk);
    private readonly Dictionary<string, (int Version, PipelineRecord Record)> _cache = new(StringComparer.Ordinal);

    /// <summary>The record's path.</summary>
    public static string PathOf(string tenant, string pipeline) => ZkPaths.Pipeline(tenant, pipeline) + "/record";

    private static string OutboxDonePath(string tenant, string pipeline) => ZkPaths.Pipeline(tenant, pipeline) + "/outbox-done";

    /// <summary>The record and its version (-1 when none exists yet).</summary>
    public async Task<(PipelineRecord Record, int Version)> ReadAsync(string tenant, string pipeline, CancellationToken cancellationToken)
    {
        var path = PathOf(tenant, pipeline);
        var (record, version) = await ReadRecordAsync(tenant, pipeline, path, cancellationToken);
        if (!record.Outbox.IsEmpty && await zk.TryGetDataAsync(OutboxDonePath(tenant, pipeline), null, cancellationToken) is { } done
            && long.Parse(Encoding.UTF8.GetString(done.Data), CultureInfo.InvariantCulture) >= record.Pass)
        {
            record = record with { Outbox = [] };
        }
        return (record, version);
    }

    private async Task<(PipelineRecord, int)> ReadRecordAsync(string tenant, string pipeline, string path, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(path, out var cached) && await zk.ExistsAsync(path, null, cancellationToken) is { } stat && stat.Version == cached.Version)
        {
            return (cached.Record, cached.Version);
        }
        var content = await _blob.ReadAsync(path, cancellationToken);
        if (content is null)
        {
            return (PipelineRecord.Empty(tenant, pipeline), -1);
        }
        var record = JsonSerializer.Deserialize<PipelineRecord>(content.Data, SchedulerJson.Options)
            ?? throw new InvalidDataException($"the record of {tenant}/{pipeline} is null");
        _cache[path] = (content.Stat.Version, record);
        return (record, content.Stat.Version);
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
        var stat = await zk.ExistsAsync(path, null, cancellationToken);
        return stat is { } current && current.Version == cached.Version && (cached.Record.Outbox.IsEmpty || _doneUpTo.GetValueOrDefault(path, -1) >= cached.Record.Pass);
    }

    private readonly Dictionary<string, long> _doneUpTo = new(StringComparer.Ordinal);

    /// <summary>Writes the record if its version is still <paramref name="expectedVersion"/>; returns the new version.</summary>
    /// <exception cref="ZooKeeperException">BadVersion (or NodeExists/NoNode) when another writer got there first.</exception>
    public async Task<int> WriteAsync(string tenant, string pipeline, PipelineRecord record, int expectedVersion, CancellationToken cancellationToken)
    {
        var data = JsonSerializer.SerializeToUtf8Bytes(record, SchedulerJson.Options);
        var path = PathOf(tenant, pipeline);
        _cache.Remove(path);
        // The first write creates the blob; the pipeline lock keeps a second first writer out.
        var stat = await _blob.WriteAsync(path, data, expectedVersion < 0 ? ZooKeeperVersion.Any : expectedVersion, cancellationToken);
        _cache[path] = (stat.Version, record);
        return stat.Version;
    }

    /// <summary>Marks the outbox of pass <paramref name="pass"/> as carried out.</summary>
    public async Task MarkOutboxDoneAsync(string tenant, string pipeline, long pass, CancellationToken cancellationToken)
    {
        var data = Encoding.UTF8.GetBytes(pass.ToString(CultureInfo.InvariantCulture));
        _doneUpTo[PathOf(tenant, pipeline)] = pass;
        try
        {
            await zk.SetDataAsync(OutboxDonePath(tenant, pipeline), data, ZooKeeperVersion.Any, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
        {
            await zk.CreateWithParentsAsync(OutboxDonePath(tenant, pipeline), data, CreateOptions.Persistent, cancellationToken);
        }
    }
}

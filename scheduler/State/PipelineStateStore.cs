using System.Text.Json;
using Gating.Coordination;
using Gating.ZooKeeper;

namespace Gating.Scheduler.State;

/// <summary>
/// Reads and writes a pipeline's <see cref="PipelineRecord"/> as a sharded blob at
/// <c>ZkPaths.Pipeline(tenant, pipeline)/record</c>. Writes compare-and-set on the blob header's version: a
/// scheduler that lost the pipeline lock (or never had it) cannot overwrite a newer record.
/// </summary>
public sealed class PipelineStateStore(IZooKeeper zk)
{
    private readonly ShardedBlob _blob = new(zk);

    /// <summary>The record's path.</summary>
    public static string PathOf(string tenant, string pipeline) => ZkPaths.Pipeline(tenant, pipeline) + "/record";

    /// <summary>The record and its version (-1 when none exists yet).</summary>
    public async Task<(PipelineRecord Record, int Version)> ReadAsync(string tenant, string pipeline, CancellationToken cancellationToken)
    {
        var content = await _blob.ReadAsync(PathOf(tenant, pipeline), cancellationToken);
        if (content is null)
        {
            return (PipelineRecord.Empty(tenant, pipeline), -1);
        }
        var record = JsonSerializer.Deserialize<PipelineRecord>(content.Data, SchedulerJson.Options)
            ?? throw new InvalidDataException($"the record of {tenant}/{pipeline} is null");
        return (record, content.Stat.Version);
    }

    /// <summary>Writes the record if its version is still <paramref name="expectedVersion"/>; returns the new version.</summary>
    /// <exception cref="ZooKeeperException">BadVersion (or NodeExists/NoNode) when another writer got there first.</exception>
    public async Task<int> WriteAsync(string tenant, string pipeline, PipelineRecord record, int expectedVersion, CancellationToken cancellationToken)
    {
        var data = JsonSerializer.SerializeToUtf8Bytes(record, SchedulerJson.Options);
        var path = PathOf(tenant, pipeline);
        if (expectedVersion < 0)
        {
            // First write: create the blob; a concurrent first writer makes the create fail.
            var stat = await _blob.WriteAsync(path, data, ZooKeeperVersion.Any, cancellationToken);
            return stat.Version;
        }
        return (await _blob.WriteAsync(path, data, expectedVersion, cancellationToken)).Version;
    }
}

using System.Globalization;
using System.Text;
using Gating.Coordination;
using Gating.ZooKeeper;

namespace Gating.Scheduler.State;

/// <summary>
/// How far a consumer has moved events out of a queue: a znode holding the highest sequence number already passed
/// on. The consumer writes it (compare-and-set) in the same multi as the events it passes on, so an event moved
/// before a crash is skipped, not moved twice, by the next consumer.
/// </summary>
public sealed class ProgressMarker(IZooKeeper zk, string path)
{
    /// <summary>The marker's path.</summary>
    public string Path { get; } = path;

    /// <summary>The sequence recorded (-1 when none) and the znode version to compare against.</summary>
    public async Task<(long Sequence, int Version)> ReadAsync(CancellationToken cancellationToken)
    {
        var node = await zk.TryGetDataAsync(Path, null, cancellationToken);
        if (node is null)
        {
            try
            {
                await zk.CreateWithParentsAsync(Path, Encoding.UTF8.GetBytes("-1"), CreateOptions.Persistent, cancellationToken);
            }
            catch (ZooKeeperException e) when (e.Code == ErrorCode.NodeExists)
            {
                // Another consumer created it first.
            }
            node = await zk.TryGetDataAsync(Path, null, cancellationToken) ?? throw new InvalidOperationException($"{Path} vanished");
        }
        return (long.Parse(Encoding.UTF8.GetString(node.Data), CultureInfo.InvariantCulture), node.Stat.Version);
    }

    /// <summary>The operation that records <paramref name="sequence"/> if the marker is still at <paramref name="version"/>.</summary>
    public Op SetOp(long sequence, int version) =>
        new Op.SetData(Path, Encoding.UTF8.GetBytes(sequence.ToString(CultureInfo.InvariantCulture)), version);
}

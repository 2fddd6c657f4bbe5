namespace Gating.ZooKeeper;

public sealed partial class ZooKeeperClient
{
    /// <summary>
    /// ZooKeeper 3.5-3.8 answer a plain create inside a multi with its path only (the sub-transaction is recorded as
    /// create, not create2), while IZooKeeper promises the stat. The stat of a node at its creation is fixed by the
    /// transaction: czxid = mzxid = pzxid = the multi's zxid, versions and child count 0, the owner and data length
    /// from the op. Only the transaction time is missing: it is taken from another result of the same transaction,
    /// else from the node's ctime (which never changes) with one pipelined read.
    /// </summary>
    private async Task CompleteCreateStatsAsync(IReadOnlyList<Op> ops, List<OpResult> results, long zxid, CancellationToken cancellationToken)
    {
        var missing = Enumerable.Range(0, Math.Min(ops.Count, results.Count))
            .Where(i => ops[i] is Op.Create && results[i] is OpResult.Create { Stat.Czxid: 0 })
            .ToList();
        if (missing.Count == 0)
        {
            return;
        }
        var time = results.Select(r => r switch
        {
            OpResult.SetData set when set.Stat.Mzxid == zxid => set.Stat.Mtime,
            OpResult.Create create when create.Stat.Mzxid == zxid => create.Stat.Mtime,
            _ => (long?)null,
        }).FirstOrDefault(t => t is not null);
        long?[] times;
        if (time is { } known)
        {
            times = [.. missing.Select(_ => (long?)known)];
        }
        else
        {
            var reads = missing.Select(i => ReadCtimeAsync(((OpResult.Create)results[i]).Path, zxid, cancellationToken)).ToList();
            times = await Task.WhenAll(reads);
        }
        for (var k = 0; k < missing.Count; k++)
        {
            var i = missing[k];
            var op = (Op.Create)ops[i];
            var ctime = times[k] ?? times.FirstOrDefault(t => t is not null) ?? 0;
            var owner = op.Options.Mode is CreateMode.Ephemeral or CreateMode.EphemeralSequential ? SessionId : 0;
            var stat = new Stat(zxid, zxid, ctime, ctime, 0, 0, 0, owner, op.Data.Length, 0, zxid);
            results[i] = new OpResult.Create(((OpResult.Create)results[i]).Path, stat);
        }
    }

    private async Task<long?> ReadCtimeAsync(string path, long zxid, CancellationToken cancellationToken)
    {
        try
        {
            return await ExistsAsync(path, null, cancellationToken) is { } stat && stat.Czxid == zxid ? stat.Ctime : null;
        }
        catch (ZooKeeperException e) when (e.IsRetryable)
        {
            return null; // the multi succeeded; a lost connection only costs the timestamp
        }
    }
}

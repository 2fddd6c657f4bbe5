using Gating.Coordination.Tests.Infrastructure;
using Gating.ZooKeeper;

namespace Gating.Coordination.Tests.Blobs;

/// <summary>A blob's create and delete as ops of a caller's multi (the inline form), on both backends.</summary>
public abstract class ShardedBlobOpsContractTests<TBackend> : CoordinationTestBase<TBackend>
    where TBackend : ZooKeeperBackend, new()
{
    private const string Parent = "/params";

    [Fact]
    public async Task A_blob_created_by_ops_is_one_znode_that_reads_back_and_a_write_replaces()
    {
        var zk = await SessionAsync();
        await zk.EnsurePathAsync(Parent, Ct);
        var blob = new ShardedBlob(zk);
        var data = Bytes(string.Concat(Enumerable.Repeat("{\"job\":\"tox\",\"items\":[1,2,3]}", 500)));
        var ops = blob.CreateOps($"{Parent}/b1", data)!;

        await zk.MultiAsync([.. ops, new Op.Create($"{Parent}/owner", default, CreateOptions.Persistent)], Ct);

        Assert.Single(ops);
        Assert.Equal(0, await blob.CountNodesAsync($"{Parent}/b1", Ct));
        Assert.Equal(data, (await blob.ReadAsync($"{Parent}/b1", Ct))!.Data);
        Assert.Equal(ErrorCode.NodeExists, (await Assert.ThrowsAsync<ZooKeeperMultiException>(() => zk.MultiAsync(blob.CreateOps($"{Parent}/b1", data)!, Ct))).Code);

        // A write over it (an executor rewriting a retry's parameters) turns it into the sharded form.
        var next = Bytes("{\"job\":\"tox\",\"attempt\":2}");
        await blob.WriteAsync($"{Parent}/b1", next, ZooKeeperVersion.Any, Ct);
        Assert.Equal(next, (await blob.ReadAsync($"{Parent}/b1", Ct))!.Data);
        Assert.Equal(2, await blob.CountNodesAsync($"{Parent}/b1", Ct));

        // Deleting either form is one multi of the nodes there.
        await zk.MultiAsync(blob.CreateOps($"{Parent}/b2", next)!, Ct);
        Assert.Single(await blob.DeleteOpsAsync($"{Parent}/b2", Ct));
        await zk.MultiAsync([.. await blob.DeleteOpsAsync($"{Parent}/b1", Ct), .. await blob.DeleteOpsAsync($"{Parent}/b2", Ct)], Ct);
        Assert.Empty(await blob.DeleteOpsAsync($"{Parent}/b1", Ct));
        Assert.Equal(["owner"], await zk.TryGetChildrenAsync(Parent, Ct));
    }

    [Fact]
    public async Task Data_that_does_not_fit_one_shard_gets_no_ops()
    {
        var zk = await SessionAsync();
        var noise = new byte[3_000];
        new Random(3).NextBytes(noise);

        Assert.Null(new ShardedBlob(zk, shardBytes: 1_000).CreateOps($"{Parent}/big", noise));
        Assert.NotNull(new ShardedBlob(zk).CreateOps($"{Parent}/big", noise));
    }
}

public sealed class ShardedBlobOpsTests : ShardedBlobOpsContractTests<EmbeddedBackend>;

public sealed class ShardedBlobOpsIntegrationTests : ShardedBlobOpsContractTests<RealBackend>;

using Gating.Coordination.Tests.Infrastructure;
using Gating.ZooKeeper;

namespace Gating.Coordination.Tests.Blobs;

/// <summary>Sharded compressed blobs, on both backends.</summary>
public abstract class ShardedBlobContractTests<TBackend> : CoordinationTestBase<TBackend>
    where TBackend : ZooKeeperBackend, new()
{
    private const string BlobPath = "/cache/connection/gerrit/branches/data";

    private static byte[] Noise(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes); // incompressible: the shards really are that many
        return bytes;
    }

    [Fact]
    public async Task A_small_blob_round_trips_in_one_shard()
    {
        var zk = await SessionAsync();
        var blob = new ShardedBlob(zk);
        Assert.Null(await blob.ReadAsync(BlobPath, Ct));
        var data = Bytes(string.Concat(Enumerable.Repeat("{\"project\":\"org/repo\",\"branches\":[\"main\"]}", 1000)));

        var stat = await blob.WriteAsync(BlobPath, data, ZooKeeperVersion.Any, Ct);

        var read = await blob.ReadAsync(BlobPath, Ct);
        Assert.NotNull(read);
        Assert.Equal(data, read.Data);
        Assert.Equal(stat.Version, read.Stat.Version);
        Assert.Equal(2, await blob.CountNodesAsync(BlobPath, Ct)); // one generation, one shard
        var shard = await zk.GetDataAsync($"{BlobPath}/{(await zk.GetChildrenAsync(BlobPath, null, Ct)).Children[0]}/0000000000", null, Ct);
        Assert.True(shard.Data.Length < data.Length / 10, "the shard is compressed");
    }

    [Fact]
    public async Task A_blob_larger_than_a_znode_is_split_into_shards_under_the_limit()
    {
        var zk = await SessionAsync();
        var blob = new ShardedBlob(zk);
        var data = Noise(3 * 1024 * 1024, 1);

        await blob.WriteAsync(BlobPath, data, ZooKeeperVersion.Any, Ct);

        var read = await blob.ReadAsync(BlobPath, Ct);
        Assert.Equal(data, read!.Data);
        var generation = Assert.Single((await zk.GetChildrenAsync(BlobPath, null, Ct)).Children);
        var shards = (await zk.GetChildrenAsync($"{BlobPath}/{generation}", null, Ct)).Children;
        Assert.Equal(4, shards.Count);
        foreach (var shard in shards)
        {
            Assert.True((await zk.ExistsAsync($"{BlobPath}/{generation}/{shard}", null, Ct))!.Value.DataLength <= ShardedBlob.DefaultShardBytes);
        }
    }

    [Fact]
    public async Task Many_small_shards_round_trip_and_an_overwrite_leaves_only_the_new_generation()
    {
        var zk = await SessionAsync();
        var blob = new ShardedBlob(zk, shardBytes: 1000);
        var first = Noise(40_000, 2);
        var second = Noise(7_000, 3);

        var v1 = await blob.WriteAsync(BlobPath, first, ZooKeeperVersion.Any, Ct);
        Assert.Equal(first, (await blob.ReadAsync(BlobPath, Ct))!.Data);
        var v2 = await blob.WriteAsync(BlobPath, second, v1.Version, Ct);

        Assert.Equal(second, (await blob.ReadAsync(BlobPath, Ct))!.Data);
        Assert.True(v2.Mzxid > v1.Mzxid);
        var generation = Assert.Single((await zk.GetChildrenAsync(BlobPath, null, Ct)).Children);
        Assert.Equal(8, (await zk.GetChildrenAsync($"{BlobPath}/{generation}", null, Ct)).Children.Count);
    }

    [Fact]
    public async Task A_write_with_a_stale_version_fails_and_leaves_nothing_behind()
    {
        var zk = await SessionAsync();
        var blob = new ShardedBlob(zk, shardBytes: 1000);
        var v1 = await blob.WriteAsync(BlobPath, Noise(5_000, 4), ZooKeeperVersion.Any, Ct);
        await blob.WriteAsync(BlobPath, Noise(5_000, 5), v1.Version, Ct);
        var nodes = await blob.CountNodesAsync(BlobPath, Ct);

        var stale = await Assert.ThrowsAnyAsync<ZooKeeperException>(() => blob.WriteAsync(BlobPath, Noise(5_000, 6), v1.Version, Ct));
        Assert.Equal(ErrorCode.BadVersion, stale.Code);
        Assert.Equal(nodes, await blob.CountNodesAsync(BlobPath, Ct));
        Assert.Equal(Noise(5_000, 5), (await blob.ReadAsync(BlobPath, Ct))!.Data);
        var missing = await Assert.ThrowsAnyAsync<ZooKeeperException>(() => blob.WriteAsync("/nothing/here", Noise(10, 7), 0, Ct));
        Assert.Equal(ErrorCode.NoNode, missing.Code);
    }

    [Fact]
    public async Task Readers_see_one_whole_write_while_another_session_overwrites()
    {
        var writer = new ShardedBlob(await SessionAsync(), shardBytes: 500);
        var reader = new ShardedBlob(await SessionAsync(), shardBytes: 500);
        byte[][] versions = [Noise(6_000, 10), Noise(3_000, 11), Noise(9_000, 12)];
        await writer.WriteAsync(BlobPath, versions[0], ZooKeeperVersion.Any, Ct);

        var writes = Task.Run(async () =>
        {
            for (var i = 1; i <= 12; i++)
            {
                await writer.WriteAsync(BlobPath, versions[i % 3], ZooKeeperVersion.Any, Ct);
            }
        });
        var reads = 0;
        while (!writes.IsCompleted || reads < 5)
        {
            var content = (await reader.ReadAsync(BlobPath, Ct))!.Data;
            Assert.Contains(versions, v => v.AsSpan().SequenceEqual(content));
            reads++;
        }
        await writes;
        Assert.Equal(versions[0], (await reader.ReadAsync(BlobPath, Ct))!.Data);
    }

    [Fact]
    public async Task A_generation_left_by_a_crashed_writer_is_removed_by_the_next_write()
    {
        var zk = await SessionAsync();
        var blob = new ShardedBlob(zk, shardBytes: 1000);
        await blob.WriteAsync(BlobPath, Noise(3_000, 20), ZooKeeperVersion.Any, Ct);
        await zk.CreateAsync($"{BlobPath}/g-crashed", default, CreateOptions.Persistent, Ct);
        await zk.CreateAsync($"{BlobPath}/g-crashed/0000000000", Noise(10, 21), CreateOptions.Persistent, Ct);
        await blob.WriteAsync(BlobPath, Noise(3_000, 22), ZooKeeperVersion.Any, Ct); // commits after the orphan: sweeps it

        Assert.DoesNotContain("g-crashed", (await zk.GetChildrenAsync(BlobPath, null, Ct)).Children);
        Assert.Single((await zk.GetChildrenAsync(BlobPath, null, Ct)).Children);
    }

    [Fact]
    public async Task A_damaged_shard_is_reported_not_returned()
    {
        var zk = await SessionAsync();
        var blob = new ShardedBlob(zk);
        await blob.WriteAsync(BlobPath, Bytes(new string('x', 10_000)), ZooKeeperVersion.Any, Ct);
        var generation = (await zk.GetChildrenAsync(BlobPath, null, Ct)).Children[0];
        await zk.SetDataAsync($"{BlobPath}/{generation}/0000000000", Bytes("not zlib"), ZooKeeperVersion.Any, Ct);

        await Assert.ThrowsAnyAsync<InvalidDataException>(() => blob.ReadAsync(BlobPath, Ct));
        await blob.DeleteAsync(BlobPath, Ct);
        Assert.Null(await blob.ReadAsync(BlobPath, Ct));
    }

    [Fact]
    public async Task An_empty_blob_round_trips()
    {
        var blob = new ShardedBlob(await SessionAsync());
        await blob.WriteAsync(BlobPath, ReadOnlyMemory<byte>.Empty, ZooKeeperVersion.Any, Ct);
        Assert.Empty((await blob.ReadAsync(BlobPath, Ct))!.Data);
    }
}

public sealed class ShardedBlobTests : ShardedBlobContractTests<EmbeddedBackend>;

public sealed class ShardedBlobIntegrationTests : ShardedBlobContractTests<RealBackend>;

namespace Gating.ZooKeeper.Tests.Contract;

/// <summary>create, getData, setData, delete, exists, getChildren, getAllChildrenNumber, sync: stats and errors.</summary>
public abstract partial class ZooKeeperContractTests
{
    [Fact]
    public async Task Create_returns_the_path_and_a_fresh_stat()
    {
        var zk = await SessionAsync();
        var created = await CreateAsync(zk, "/a", "hello");
        Assert.Equal("/a", created.Path);
        var stat = created.Stat;
        Assert.Equal(0, stat.Version);
        Assert.Equal(0, stat.Cversion);
        Assert.Equal(0, stat.Aversion);
        Assert.Equal(0, stat.EphemeralOwner);
        Assert.Equal(5, stat.DataLength);
        Assert.Equal(0, stat.NumChildren);
        Assert.Equal(stat.Czxid, stat.Mzxid);
        Assert.Equal(stat.Czxid, stat.Pzxid);
        Assert.Equal(stat.Ctime, stat.Mtime);
        Assert.True(stat.Czxid > 0);
        var read = await zk.GetDataAsync("/a", null, Ct);
        Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(read.Data));
        Assert.Equal(stat, read.Stat);
        Assert.Equal(stat, await zk.ExistsAsync("/a", null, Ct));
    }

    [Fact]
    public async Task Create_fails_with_NodeExists_and_NoNode()
    {
        var zk = await SessionAsync();
        await CreateAsync(zk, "/a");
        await ThrowsCodeAsync(ErrorCode.NodeExists, () => CreateAsync(zk, "/a"));
        await ThrowsCodeAsync(ErrorCode.NoNode, () => CreateAsync(zk, "/missing/child"));
    }

    [Theory]
    [InlineData("no-leading-slash")]
    [InlineData("/trailing/")]
    [InlineData("/double//slash")]
    [InlineData("/dot/./x")]
    [InlineData("/dots/../x")]
    [InlineData("")]
    public async Task Bad_paths_fail_with_BadArguments(string path)
    {
        var zk = await SessionAsync();
        await ThrowsCodeAsync(ErrorCode.BadArguments, () => CreateAsync(zk, path));
        await ThrowsCodeAsync(ErrorCode.BadArguments, () => zk.GetDataAsync(path, null, Ct));
        await ThrowsCodeAsync(ErrorCode.BadArguments, () => zk.SetDataAsync(path, Bytes("x"), -1, Ct));
        await ThrowsCodeAsync(ErrorCode.BadArguments, () => zk.DeleteAsync(path, -1, Ct));
    }

    [Fact]
    public async Task SetData_bumps_version_and_mzxid_and_checks_the_version()
    {
        var zk = await SessionAsync();
        var created = (await CreateAsync(zk, "/a", "1")).Stat;
        var set = await zk.SetDataAsync("/a", Bytes("22"), 0, Ct);
        Assert.Equal(1, set.Version);
        Assert.Equal(created.Czxid, set.Czxid);
        Assert.True(set.Mzxid > created.Mzxid);
        Assert.True(set.Mtime >= created.Mtime);
        Assert.Equal(created.Ctime, set.Ctime);
        Assert.Equal(2, set.DataLength);
        Assert.Equal(created.Pzxid, set.Pzxid);
        await ThrowsCodeAsync(ErrorCode.BadVersion, () => zk.SetDataAsync("/a", Bytes("x"), 0, Ct));
        var any = await zk.SetDataAsync("/a", Bytes("333"), ZooKeeperVersion.Any, Ct);
        Assert.Equal(2, any.Version);
        await ThrowsCodeAsync(ErrorCode.NoNode, () => zk.SetDataAsync("/missing", Bytes("x"), 3, Ct));
        await ThrowsCodeAsync(ErrorCode.NoNode, () => zk.GetDataAsync("/missing", null, Ct));
    }

    [Fact]
    public async Task Delete_checks_existence_then_version_then_children()
    {
        var zk = await SessionAsync();
        await ThrowsCodeAsync(ErrorCode.NoNode, () => zk.DeleteAsync("/missing", -1, Ct));
        await CreateAsync(zk, "/p");
        await CreateAsync(zk, "/p/c");
        await ThrowsCodeAsync(ErrorCode.BadVersion, () => zk.DeleteAsync("/p", 7, Ct));
        await ThrowsCodeAsync(ErrorCode.NotEmpty, () => zk.DeleteAsync("/p", 0, Ct));
        await ThrowsCodeAsync(ErrorCode.BadVersion, () => zk.DeleteAsync("/p/c", 1, Ct));
        await zk.DeleteAsync("/p/c", 0, Ct);
        await zk.DeleteAsync("/p", ZooKeeperVersion.Any, Ct);
        Assert.Null(await zk.ExistsAsync("/p", null, Ct));
    }

    [Fact]
    public async Task Parent_stat_counts_children_changes()
    {
        var zk = await SessionAsync();
        var parent = (await CreateAsync(zk, "/p")).Stat;
        var c1 = (await CreateAsync(zk, "/p/c1")).Stat;
        var afterCreate = (await zk.ExistsAsync("/p", null, Ct))!.Value;
        Assert.Equal(1, afterCreate.Cversion);
        Assert.Equal(1, afterCreate.NumChildren);
        Assert.Equal(c1.Czxid, afterCreate.Pzxid);
        Assert.Equal(parent.Mzxid, afterCreate.Mzxid);
        Assert.Equal(0, afterCreate.Version);
        await CreateAsync(zk, "/p/c2");
        await zk.DeleteAsync("/p/c1", -1, Ct);
        var afterDelete = (await zk.ExistsAsync("/p", null, Ct))!.Value;
        Assert.Equal(3, afterDelete.Cversion); // ZooKeeper's cversion counts creates and deletes
        Assert.Equal(1, afterDelete.NumChildren);
        Assert.True(afterDelete.Pzxid > c1.Czxid);
        var children = await zk.GetChildrenAsync("/p", null, Ct);
        Assert.Equal(["c2"], children.Children);
        Assert.Equal(afterDelete, children.Stat);
    }

    [Fact]
    public async Task Sequential_names_count_the_parents_creates()
    {
        var zk = await SessionAsync();
        await CreateAsync(zk, "/q");
        var names = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            names.Add((await CreateAsync(zk, "/q/s-", options: CreateOptions.PersistentSequential)).Path);
        }
        Assert.Equal(["/q/s-0000000000", "/q/s-0000000001", "/q/s-0000000002"], names);
        await zk.DeleteAsync("/q/s-0000000001", -1, Ct);
        await zk.DeleteAsync("/q/s-0000000000", -1, Ct);
        Assert.Equal(5, (await zk.ExistsAsync("/q", null, Ct))!.Value.Cversion);
        // Deletes do not advance the sequence; every create (sequential or not) does.
        Assert.Equal("/q/s-0000000003", (await CreateAsync(zk, "/q/s-", options: CreateOptions.PersistentSequential)).Path);
        await CreateAsync(zk, "/q/plain");
        Assert.Equal("/q/s-0000000005", (await CreateAsync(zk, "/q/s-", options: CreateOptions.PersistentSequential)).Path);
        Assert.Equal("/q/0000000006", (await CreateAsync(zk, "/q/", options: CreateOptions.PersistentSequential)).Path);
    }

    [Fact]
    public async Task Children_and_all_children_number()
    {
        var zk = await SessionAsync();
        await CreateAsync(zk, "/t");
        await CreateAsync(zk, "/t/a");
        await CreateAsync(zk, "/t/b");
        await CreateAsync(zk, "/t/a/x");
        await CreateAsync(zk, "/t/a/x/y");
        var children = await zk.GetChildrenAsync("/t", null, Ct);
        Assert.Equal(["a", "b"], children.Children.Order(StringComparer.Ordinal));
        Assert.Equal(2, children.Stat.NumChildren);
        Assert.Equal(4, await zk.GetAllChildrenNumberAsync("/t", Ct));
        Assert.Equal(0, await zk.GetAllChildrenNumberAsync("/t/b", Ct));
        Assert.Empty((await zk.GetChildrenAsync("/t/b", null, Ct)).Children);
        await ThrowsCodeAsync(ErrorCode.NoNode, () => zk.GetChildrenAsync("/t/missing", null, Ct));
        await ThrowsCodeAsync(ErrorCode.NoNode, () => zk.GetAllChildrenNumberAsync("/t/missing", Ct));
    }

    [Fact]
    public async Task Sync_completes_and_later_reads_see_other_sessions_writes()
    {
        var zk = await SessionAsync();
        var other = await SecondSessionAsync();
        await CreateAsync(other, "/synced", "v");
        await zk.SyncAsync("/synced", Ct);
        Assert.Equal("v", System.Text.Encoding.UTF8.GetString((await zk.GetDataAsync("/synced", null, Ct)).Data));
    }

    [Fact]
    public async Task Container_and_ttl_nodes_look_persistent_to_clients()
    {
        var zk = await SessionAsync();
        var container = await CreateAsync(zk, "/box", options: CreateOptions.Container);
        Assert.Equal(0, container.Stat.EphemeralOwner); // the server keeps its marker to itself
        await CreateAsync(zk, "/box/item");
        Assert.Equal(1, (await zk.ExistsAsync("/box", null, Ct))!.Value.NumChildren);
        var ttl = await CreateAsync(zk, "/ttl", options: new CreateOptions(CreateMode.PersistentWithTtl, TtlMilliseconds: 5000));
        Assert.Equal(0, ttl.Stat.EphemeralOwner);
        await CreateAsync(zk, "/ttl/child");
        var ttlSeq = await CreateAsync(zk, "/ttl-", options: new CreateOptions(CreateMode.PersistentSequentialWithTtl, TtlMilliseconds: 1000));
        Assert.StartsWith("/ttl-00000000", ttlSeq.Path, StringComparison.Ordinal);
        await ThrowsCodeAsync(ErrorCode.BadArguments, () => CreateAsync(zk, "/bad-ttl", options: new CreateOptions(CreateMode.PersistentWithTtl, TtlMilliseconds: 0)));
    }

    [Fact]
    public async Task A_sessions_requests_are_answered_in_the_order_sent()
    {
        var zk = await SessionAsync();
        await CreateAsync(zk, "/fifo", "0");
        // Pipelined: nothing is awaited until all are sent.
        var writes = Enumerable.Range(1, 20).Select(i => zk.SetDataAsync("/fifo", Bytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), i - 1, Ct)).ToList();
        var read = zk.GetDataAsync("/fifo", null, Ct);
        Assert.Equal("20", System.Text.Encoding.UTF8.GetString((await read).Data));
        Assert.Equal(Enumerable.Range(1, 20), (await Task.WhenAll(writes)).Select(s => s.Version));
    }
}

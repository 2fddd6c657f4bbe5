namespace Gating.ZooKeeper.Tests.Contract;

/// <summary>multi: one transaction, per-op results, all or nothing, and each failure shape.</summary>
public abstract partial class ZooKeeperContractTests
{
    [Fact]
    public async Task Multi_applies_every_op_in_one_transaction()
    {
        var zk = await SessionAsync();
        await CreateAsync(zk, "/m");
        var results = await zk.MultiAsync(
        [
            new Op.Create("/m/a", Bytes("a"), CreateOptions.Persistent),
            new Op.SetData("/m/a", Bytes("bb"), 0),
            new Op.Check("/m/a", 1),
            new Op.Create("/m/s-", Bytes(""), CreateOptions.PersistentSequential),
            new Op.Create("/m/s-", Bytes(""), CreateOptions.PersistentSequential),
            new Op.Delete("/m/s-0000000001", 0),
        ], Ct);
        Assert.Equal(6, results.Count);
        var create = Assert.IsType<OpResult.Create>(results[0]);
        Assert.Equal("/m/a", create.Path);
        Assert.Equal(0, create.Stat.Version);
        var set = Assert.IsType<OpResult.SetData>(results[1]);
        Assert.Equal(1, set.Stat.Version);
        Assert.Equal(2, set.Stat.DataLength);
        Assert.IsType<OpResult.Check>(results[2]);
        Assert.Equal("/m/s-0000000001", Assert.IsType<OpResult.Create>(results[3]).Path);
        Assert.Equal("/m/s-0000000002", Assert.IsType<OpResult.Create>(results[4]).Path);
        Assert.IsType<OpResult.Delete>(results[5]);
        // One transaction: every op has the same zxid.
        Assert.Equal(create.Stat.Czxid, set.Stat.Mzxid);
        Assert.Equal(create.Stat.Czxid, set.Stat.Czxid);
        var children = await zk.GetChildrenAsync("/m", null, Ct);
        Assert.Equal(["a", "s-0000000002"], children.Children.Order(StringComparer.Ordinal));
        Assert.Equal(create.Stat.Czxid, children.Stat.Pzxid);
    }

    [Fact]
    public async Task Multi_of_nothing_succeeds()
    {
        var zk = await SessionAsync();
        Assert.Empty(await zk.MultiAsync([], Ct));
    }

    public static TheoryData<string, ErrorCode, int> MultiFailures => new()
    {
        { "check", ErrorCode.BadVersion, 1 },
        { "exists", ErrorCode.NodeExists, 0 },
        { "delete-missing", ErrorCode.NoNode, 2 },
        { "not-empty", ErrorCode.NotEmpty, 1 },
        { "set-version", ErrorCode.BadVersion, 2 },
        { "no-parent", ErrorCode.NoNode, 1 },
    };

    [Theory]
    [MemberData(nameof(MultiFailures))]
    public async Task Multi_failure_applies_nothing_and_reports_each_op(string shape, ErrorCode code, int failing)
    {
        var zk = await SessionAsync();
        await CreateAsync(zk, "/m", "orig");
        await CreateAsync(zk, "/m/kid");
        var before = await zk.GetChildrenAsync("/m", null, Ct);
        IReadOnlyList<Op> ops = shape switch
        {
            "check" => [new Op.Create("/m/new", Bytes(""), CreateOptions.Persistent), new Op.Check("/m", 5), new Op.Create("/m/new2", Bytes(""), CreateOptions.Persistent)],
            "exists" => [new Op.Create("/m/kid", Bytes(""), CreateOptions.Persistent), new Op.SetData("/m", Bytes("changed"), -1)],
            "delete-missing" => [new Op.SetData("/m", Bytes("changed"), -1), new Op.Create("/m/new", Bytes(""), CreateOptions.Persistent), new Op.Delete("/m/missing", -1), new Op.Delete("/m/kid", -1)],
            "not-empty" => [new Op.SetData("/m", Bytes("changed"), 0), new Op.Delete("/m", -1)],
            "set-version" => [new Op.Create("/m/new", Bytes(""), CreateOptions.Persistent), new Op.SetData("/m", Bytes("changed"), 0), new Op.SetData("/m", Bytes("again"), 0)],
            _ => [new Op.Create("/m/new", Bytes(""), CreateOptions.Persistent), new Op.Create("/m/none/x", Bytes(""), CreateOptions.Persistent), new Op.Delete("/m/kid", -1)],
        };
        var e = await Assert.ThrowsAsync<ZooKeeperMultiException>(() => zk.MultiAsync(ops, Ct));
        Assert.Equal(code, e.Code);
        Assert.Equal(ops.Count, e.Results.Count);
        for (var i = 0; i < ops.Count; i++)
        {
            var expected = i < failing ? ErrorCode.Ok : i == failing ? code : ErrorCode.RuntimeInconsistency;
            Assert.Equal(expected, Assert.IsType<OpResult.Error>(e.Results[i]).Code);
        }
        var after = await zk.GetChildrenAsync("/m", null, Ct);
        Assert.Equal(before.Children.Order(StringComparer.Ordinal), after.Children.Order(StringComparer.Ordinal));
        Assert.Equal(before.Stat, after.Stat);
        Assert.Equal("orig", System.Text.Encoding.UTF8.GetString((await zk.GetDataAsync("/m", null, Ct)).Data));
    }
}

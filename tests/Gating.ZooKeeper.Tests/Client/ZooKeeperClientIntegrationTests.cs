using System.Text;
using Gating.ZooKeeper.Tests.TestServers;

namespace Gating.ZooKeeper.Tests.Client;

/// <summary>Every operation of <see cref="ZooKeeperClient"/> against the real server (GATING_TEST_ZOOKEEPER).</summary>
public sealed class ZooKeeperClientIntegrationTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = RealZooKeeper.TestTimeout();
    private ZooKeeperClient _zk = null!;

    public async Task InitializeAsync() => _zk = await RealZooKeeper.ConnectRootedAsync("client");

    public async Task DisposeAsync() => await _zk.DisposeAsync();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Connect_negotiates_a_session()
    {
        Assert.NotEqual(0, _zk.SessionId);
        Assert.Equal(ConnectionState.Connected, _zk.State);
        Assert.InRange(_zk.NegotiatedSessionTimeout, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(40));
        Assert.NotNull(_zk.ConnectedServer);
    }

    [Fact]
    public async Task Create_get_set_delete_round_trip_with_versions()
    {
        var created = await _zk.CreateAsync("/a", B("one"), CreateOptions.Persistent, Ct);
        Assert.Equal("/a", created.Path);
        Assert.Equal(0, created.Stat.Version);
        var read = await _zk.GetDataAsync("/a", null, Ct);
        Assert.Equal("one", Encoding.UTF8.GetString(read.Data));
        Assert.Equal(created.Stat.Czxid, read.Stat.Czxid);
        var set = await _zk.SetDataAsync("/a", B("two"), 0, Ct);
        Assert.Equal(1, set.Version);
        Assert.Equal(3, set.DataLength);
        var conflict = await Assert.ThrowsAsync<ZooKeeperException>(() => _zk.SetDataAsync("/a", B("x"), 0, Ct));
        Assert.Equal(ErrorCode.BadVersion, conflict.Code);
        Assert.Equal("/a", conflict.Path);
        Assert.False(conflict.IsRetryable);
        await Assert.ThrowsAsync<ZooKeeperException>(() => _zk.DeleteAsync("/a", 0, Ct));
        await _zk.DeleteAsync("/a", 1, Ct);
        Assert.Null(await _zk.ExistsAsync("/a", null, Ct));
        var missing = await Assert.ThrowsAsync<ZooKeeperException>(() => _zk.GetDataAsync("/a", null, Ct));
        Assert.Equal(ErrorCode.NoNode, missing.Code);
    }

    [Fact]
    public async Task Create_reports_node_exists_and_missing_parent()
    {
        await _zk.CreateAsync("/dup", default, CreateOptions.Persistent, Ct);
        Assert.Equal(ErrorCode.NodeExists, (await Assert.ThrowsAsync<ZooKeeperException>(() => _zk.CreateAsync("/dup", default, CreateOptions.Persistent, Ct))).Code);
        Assert.Equal(ErrorCode.NoNode, (await Assert.ThrowsAsync<ZooKeeperException>(() => _zk.CreateAsync("/none/child", default, CreateOptions.Persistent, Ct))).Code);
        await _zk.CreateAsync("/dup/c", default, CreateOptions.Persistent, Ct);
        Assert.Equal(ErrorCode.NotEmpty, (await Assert.ThrowsAsync<ZooKeeperException>(() => _zk.DeleteAsync("/dup", -1, Ct))).Code);
    }

    [Fact]
    public async Task Sequential_nodes_get_increasing_suffixes_relative_to_the_chroot()
    {
        await _zk.CreateAsync("/q", default, CreateOptions.Persistent, Ct);
        var first = await _zk.CreateAsync("/q/item-", default, CreateOptions.PersistentSequential, Ct);
        var second = await _zk.CreateAsync("/q/item-", default, CreateOptions.EphemeralSequential, Ct);
        Assert.Equal("/q/item-0000000000", first.Path);
        Assert.Equal("/q/item-0000000001", second.Path);
        Assert.Equal(_zk.SessionId, second.Stat.EphemeralOwner);
        Assert.Equal(0, first.Stat.EphemeralOwner);
    }

    [Fact]
    public async Task Ephemerals_disappear_when_the_session_closes()
    {
        await using var other = await RealZooKeeper.ConnectAsync();
        var root = $"/gating-test-eph-{Guid.NewGuid():N}";
        await other.CreateAsync(root, default, CreateOptions.Persistent, Ct);
        var owner = await RealZooKeeper.ConnectAsync(root);
        await owner.CreateAsync("/e", default, CreateOptions.Ephemeral, Ct);
        Assert.NotNull(await other.ExistsAsync(root + "/e", null, Ct));
        Assert.Equal(ErrorCode.NoChildrenForEphemerals,
            (await Assert.ThrowsAsync<ZooKeeperException>(() => owner.CreateAsync("/e/c", default, CreateOptions.Persistent, Ct))).Code);
        await owner.DisposeAsync();
        Assert.Equal(ConnectionState.Closed, owner.State);
        Assert.Null(await other.ExistsAsync(root + "/e", null, Ct));
        Assert.Equal(ErrorCode.ClientClosed, (await Assert.ThrowsAsync<ZooKeeperException>(() => owner.ExistsAsync("/", null, Ct))).Code);
    }

    [Fact]
    public async Task Container_and_ttl_nodes_are_created()
    {
        var container = await _zk.CreateAsync("/c", default, CreateOptions.Container, Ct);
        Assert.Equal("/c", container.Path);
        var ttl = await _zk.CreateAsync("/t", B("x"), new CreateOptions(CreateMode.PersistentWithTtl, TtlMilliseconds: 60_000), Ct);
        Assert.Equal("/t", ttl.Path);
        var ttlSeq = await _zk.CreateAsync("/t-", B("x"), new CreateOptions(CreateMode.PersistentSequentialWithTtl, TtlMilliseconds: 60_000), Ct);
        Assert.StartsWith("/t-00", ttlSeq.Path, StringComparison.Ordinal);
        // ZooKeeper keeps its container and TTL markers in ephemeralOwner but shows clients 0 (DataNode.copyStat).
        Assert.Equal(0, container.Stat.EphemeralOwner);
        Assert.Equal(0, ttl.Stat.EphemeralOwner);
        Assert.Equal(0, (await _zk.ExistsAsync("/c", null, Ct))!.Value.EphemeralOwner);
        Assert.Equal(0, (await _zk.ExistsAsync("/t", null, Ct))!.Value.EphemeralOwner);
    }

    [Fact]
    public async Task Children_stat_and_descendant_count()
    {
        await _zk.CreateAsync("/p", default, CreateOptions.Persistent, Ct);
        await _zk.CreateAsync("/p/x", default, CreateOptions.Persistent, Ct);
        await _zk.CreateAsync("/p/y", default, CreateOptions.Persistent, Ct);
        await _zk.CreateAsync("/p/y/z", default, CreateOptions.Persistent, Ct);
        var children = await _zk.GetChildrenAsync("/p", null, Ct);
        Assert.Equal(["x", "y"], children.Children.Order(StringComparer.Ordinal));
        Assert.Equal(2, children.Stat.NumChildren);
        Assert.Equal(2, children.Stat.Cversion);
        Assert.Equal(3, await _zk.GetAllChildrenNumberAsync("/p", Ct));
        await _zk.SyncAsync("/p", Ct);
        var root = await _zk.GetChildrenAsync("/", null, Ct);
        Assert.Contains("p", root.Children);
    }

    [Fact]
    public async Task Multi_applies_all_ops_and_returns_per_op_results()
    {
        await _zk.CreateAsync("/m", B("0"), CreateOptions.Persistent, Ct);
        var results = await _zk.MultiAsync(
        [
            new Op.Check("/m", 0),
            new Op.Create("/m/a", B("a"), CreateOptions.Persistent),
            new Op.Create("/m/s-", default, CreateOptions.PersistentSequential),
            new Op.SetData("/m", B("1"), 0),
            new Op.Delete("/m/a", 0),
        ], Ct);
        Assert.IsType<OpResult.Check>(results[0]);
        Assert.Equal("/m/a", Assert.IsType<OpResult.Create>(results[1]).Path);
        Assert.Equal("/m/s-0000000001", Assert.IsType<OpResult.Create>(results[2]).Path);
        Assert.Equal(1, Assert.IsType<OpResult.SetData>(results[3]).Stat.Version);
        Assert.IsType<OpResult.Delete>(results[4]);
        // ZooKeeper 3.8 answers a create inside a multi with the path only; the client completes the stat.
        var created = Assert.IsType<OpResult.Create>(results[2]).Stat;
        var actual = (await _zk.ExistsAsync("/m/s-0000000001", null, Ct))!.Value;
        Assert.Equal(actual, created);
    }

    [Fact]
    public async Task Multi_create_stats_match_the_server_without_another_result_to_date_them()
    {
        await _zk.CreateAsync("/ms", default, CreateOptions.Persistent, Ct);
        var results = await _zk.MultiAsync(
        [
            new Op.Create("/ms/a", B("abc"), CreateOptions.Persistent),
            new Op.Create("/ms/e", default, CreateOptions.Ephemeral),
        ], Ct);
        Assert.Equal((await _zk.ExistsAsync("/ms/a", null, Ct))!.Value, Assert.IsType<OpResult.Create>(results[0]).Stat);
        var ephemeral = Assert.IsType<OpResult.Create>(results[1]).Stat;
        Assert.Equal((await _zk.ExistsAsync("/ms/e", null, Ct))!.Value, ephemeral);
        Assert.Equal(_zk.SessionId, ephemeral.EphemeralOwner);
    }

    [Fact]
    public async Task Failed_multi_applies_nothing_and_reports_each_op()
    {
        await _zk.CreateAsync("/f", B("0"), CreateOptions.Persistent, Ct);
        var failure = await Assert.ThrowsAsync<ZooKeeperMultiException>(() => _zk.MultiAsync(
        [
            new Op.Create("/f/a", default, CreateOptions.Persistent),
            new Op.Check("/f", 7),
            new Op.SetData("/f", B("1"), -1),
        ], Ct));
        Assert.Equal(ErrorCode.BadVersion, failure.Code);
        Assert.Equal("/f", failure.Path);
        Assert.Equal(
            [new OpResult.Error(ErrorCode.Ok), new OpResult.Error(ErrorCode.BadVersion), new OpResult.Error(ErrorCode.RuntimeInconsistency)],
            failure.Results);
        Assert.Null(await _zk.ExistsAsync("/f/a", null, Ct));
        Assert.Equal(0, (await _zk.GetDataAsync("/f", null, Ct)).Stat.Version);
    }

    [Fact]
    public async Task Digest_acl_denies_until_the_session_authenticates()
    {
        var alice = DigestAuthentication.Id("alice", "secret");
        await _zk.CreateAsync("/secret", B("s"), new CreateOptions(CreateMode.Persistent, [new Acl(Perms.All, alice)]), Ct);
        var denied = await Assert.ThrowsAsync<ZooKeeperException>(() => _zk.GetDataAsync("/secret", null, Ct));
        Assert.Equal(ErrorCode.NoAuth, denied.Code);
        await _zk.AddAuthAsync("digest", DigestAuthentication.Credentials("alice", "secret"), Ct);
        Assert.Equal("s", Encoding.UTF8.GetString((await _zk.GetDataAsync("/secret", null, Ct)).Data));
        var acl = await _zk.GetAclAsync("/secret", Ct);
        Assert.Equal([new Acl(Perms.All, alice)], acl.Acl);
        var stat = await _zk.SetAclAsync("/secret", Acl.OpenUnsafe, 0, Ct);
        Assert.Equal(1, stat.Aversion);
        Assert.Equal(ErrorCode.BadVersion, (await Assert.ThrowsAsync<ZooKeeperException>(() => _zk.SetAclAsync("/secret", Acl.OpenUnsafe, 0, Ct))).Code);
    }

    [Fact]
    public async Task Creator_acl_uses_the_authenticated_identity()
    {
        await _zk.AddAuthAsync("digest", DigestAuthentication.Credentials("bob", "pw"), Ct);
        await _zk.CreateAsync("/mine", default, new CreateOptions(CreateMode.Persistent, Acl.CreatorAll), Ct);
        var acl = await _zk.GetAclAsync("/mine", Ct);
        Assert.Equal([new Acl(Perms.All, DigestAuthentication.Id("bob", "pw"))], acl.Acl);
    }

    [Fact]
    public async Task Invalid_paths_are_rejected_before_sending()
    {
        var e = await Assert.ThrowsAsync<ZooKeeperException>(() => _zk.CreateAsync("relative", default, CreateOptions.Persistent, Ct));
        Assert.Equal(ErrorCode.BadArguments, e.Code);
        await Assert.ThrowsAsync<ZooKeeperException>(() => _zk.GetDataAsync("/a/", null, Ct));
    }

    [Fact]
    public async Task Pipelined_requests_complete_in_order()
    {
        await _zk.CreateAsync("/pipe", default, CreateOptions.Persistent, Ct);
        var tasks = Enumerable.Range(0, 500).Select(i => _zk.CreateAsync($"/pipe/n{i}", B($"{i}"), CreateOptions.Persistent, Ct)).ToList();
        var results = await Task.WhenAll(tasks);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"/pipe/n{i}"), results.Select(r => r.Path));
        Assert.True(results.Zip(results.Skip(1)).All(p => p.First.Stat.Czxid < p.Second.Stat.Czxid));
        Assert.Equal(500, await _zk.GetAllChildrenNumberAsync("/pipe", Ct));
    }
}

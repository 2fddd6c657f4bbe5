using System.Security.Cryptography;
using System.Text;

namespace Gating.ZooKeeper.Tests.Contract;

/// <summary>ACLs: world and digest ids, the auth scheme, addAuth, permission checks per operation, setACL versions.</summary>
public abstract partial class ZooKeeperContractTests
{
    protected static AclId Digest(string user, string password) =>
        new("digest", user + ":" + Convert.ToBase64String(SHA1.HashData(Encoding.UTF8.GetBytes(user + ":" + password))));

    [Fact]
    public async Task Digest_acl_admits_only_authenticated_sessions()
    {
        var alice = await SessionAsync();
        await alice.AddAuthAsync("digest", Bytes("alice:secret"), Ct);
        var stranger = await SecondSessionAsync();
        var acl = new[] { new Acl(Perms.All, Digest("alice", "secret")) };
        await alice.CreateAsync("/private", Bytes("s"), new CreateOptions(CreateMode.Persistent, acl), Ct);
        Assert.Equal("s", Encoding.UTF8.GetString((await alice.GetDataAsync("/private", null, Ct)).Data));
        await ThrowsCodeAsync(ErrorCode.NoAuth, () => stranger.GetDataAsync("/private", null, Ct));
        await ThrowsCodeAsync(ErrorCode.NoAuth, () => stranger.GetChildrenAsync("/private", null, Ct));
        await ThrowsCodeAsync(ErrorCode.NoAuth, () => stranger.SetDataAsync("/private", Bytes("x"), -1, Ct));
        await ThrowsCodeAsync(ErrorCode.NoAuth, () => stranger.GetAclAsync("/private", Ct));
        await ThrowsCodeAsync(ErrorCode.NoAuth, () => CreateAsync(stranger, "/private/child"));
        Assert.NotNull(await stranger.ExistsAsync("/private", null, Ct)); // exists checks no permission
        await stranger.AddAuthAsync("digest", Bytes("alice:wrong"), Ct);
        await ThrowsCodeAsync(ErrorCode.NoAuth, () => stranger.GetDataAsync("/private", null, Ct));
        await stranger.AddAuthAsync("digest", Bytes("alice:secret"), Ct);
        Assert.Equal("s", Encoding.UTF8.GetString((await stranger.GetDataAsync("/private", null, Ct)).Data));
    }

    [Fact]
    public async Task Auth_scheme_becomes_the_sessions_digest_ids()
    {
        var zk = await SessionAsync();
        await ThrowsCodeAsync(ErrorCode.InvalidAcl, () => zk.CreateAsync("/mine", Bytes(""), new CreateOptions(CreateMode.Persistent, Acl.CreatorAll), Ct));
        await zk.AddAuthAsync("digest", Bytes("bob:pw"), Ct);
        await zk.CreateAsync("/mine", Bytes(""), new CreateOptions(CreateMode.Persistent, Acl.CreatorAll), Ct);
        var acl = await zk.GetAclAsync("/mine", Ct);
        Assert.Equal([new Acl(Perms.All, Digest("bob", "pw"))], acl.Acl);
    }

    [Fact]
    public async Task Malformed_acls_fail_with_InvalidAcl()
    {
        var zk = await SessionAsync();
        IReadOnlyList<Acl>[] bad =
        [
            [],
            [new Acl(Perms.All, new AclId("digest", "no-colon"))],
            [new Acl(Perms.All, new AclId("world", "someone"))],
            [new Acl(Perms.All, new AclId("nonsense", "x"))],
        ];
        foreach (var acl in bad)
        {
            await ThrowsCodeAsync(ErrorCode.InvalidAcl, () => zk.CreateAsync("/bad", Bytes(""), new CreateOptions(CreateMode.Persistent, acl), Ct));
        }
        await CreateAsync(zk, "/good");
        await ThrowsCodeAsync(ErrorCode.InvalidAcl, () => zk.SetAclAsync("/good", [], -1, Ct));
    }

    [Fact]
    public async Task Each_operation_needs_its_permission()
    {
        var zk = await SessionAsync();
        await zk.CreateAsync("/ro", Bytes("d"), new CreateOptions(CreateMode.Persistent, Acl.ReadUnsafe), Ct);
        await zk.CreateAsync("/wo", Bytes("d"), new CreateOptions(CreateMode.Persistent, [new Acl(Perms.Write, AclId.Anyone)]), Ct);
        Assert.Equal("d", Encoding.UTF8.GetString((await zk.GetDataAsync("/ro", null, Ct)).Data));
        await ThrowsCodeAsync(ErrorCode.NoAuth, () => zk.SetDataAsync("/ro", Bytes("x"), -1, Ct));
        await ThrowsCodeAsync(ErrorCode.NoAuth, () => CreateAsync(zk, "/ro/child"));
        await ThrowsCodeAsync(ErrorCode.NoAuth, () => zk.DeleteAsync("/ro/missing", -1, Ct)); // the parent's DELETE is checked first
        await ThrowsCodeAsync(ErrorCode.NoAuth, () => zk.SetAclAsync("/ro", Acl.OpenUnsafe, -1, Ct));
        await zk.SetDataAsync("/wo", Bytes("x"), -1, Ct);
        await ThrowsCodeAsync(ErrorCode.NoAuth, () => zk.GetDataAsync("/wo", null, Ct));
        await ThrowsCodeAsync(ErrorCode.NoAuth, () => zk.GetAclAsync("/wo", Ct)); // getACL needs READ or ADMIN
        await ThrowsCodeAsync(ErrorCode.NoAuth, () => zk.GetAllChildrenNumberAsync("/wo", Ct));
        var multi = await Assert.ThrowsAsync<ZooKeeperMultiException>(() => zk.MultiAsync([new Op.Check("/wo", -1)], Ct));
        Assert.Equal(ErrorCode.NoAuth, multi.Code);
        await zk.DeleteAsync("/ro", -1, Ct); // deleting needs DELETE on the parent, not on the node
    }

    [Fact]
    public async Task SetAcl_checks_and_bumps_the_acl_version()
    {
        var zk = await SessionAsync();
        var created = await CreateAsync(zk, "/a");
        var acl = await zk.GetAclAsync("/a", Ct);
        Assert.Equal(Acl.OpenUnsafe, acl.Acl);
        Assert.Equal(created.Stat, acl.Stat);
        var stat = await zk.SetAclAsync("/a", [new Acl(Perms.Read | Perms.Admin, AclId.Anyone)], 0, Ct);
        Assert.Equal(1, stat.Aversion);
        Assert.Equal(0, stat.Version);
        Assert.Equal(created.Stat.Mzxid, stat.Mzxid);
        await ThrowsCodeAsync(ErrorCode.BadVersion, () => zk.SetAclAsync("/a", Acl.OpenUnsafe, 0, Ct));
        await ThrowsCodeAsync(ErrorCode.NoAuth, () => zk.SetDataAsync("/a", Bytes("x"), -1, Ct));
        await zk.SetAclAsync("/a", Acl.OpenUnsafe, 1, Ct);
        await zk.SetDataAsync("/a", Bytes("x"), -1, Ct);
        await ThrowsCodeAsync(ErrorCode.NoNode, () => zk.SetAclAsync("/missing", Acl.OpenUnsafe, -1, Ct));
        await ThrowsCodeAsync(ErrorCode.NoNode, () => zk.GetAclAsync("/missing", Ct));
    }
}

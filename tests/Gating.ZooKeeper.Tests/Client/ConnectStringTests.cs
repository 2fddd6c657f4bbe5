using Gating.ZooKeeper.Session;

namespace Gating.ZooKeeper.Tests.Client;

public sealed class ConnectStringTests
{
    [Fact]
    public void Parses_hosts_and_chroot()
    {
        var parsed = ConnectString.Parse("h1:2181, h2:2182,h3/app/zk");
        Assert.Equal(["h1:2181", "h2:2182", "h3:2181"], parsed.Hosts.Select(h => $"{h.Host}:{h.Port}"));
        Assert.Equal("/app/zk", parsed.Chroot.Prefix);
    }

    [Fact]
    public void A_bare_slash_is_no_chroot()
    {
        Assert.Equal("", ConnectString.Parse("h:1/").Chroot.Prefix);
    }

    [Fact]
    public void Rejects_bad_ports_and_empty_host_lists()
    {
        Assert.Throws<ArgumentException>(() => ConnectString.Parse("h:x"));
        Assert.Throws<ArgumentException>(() => ConnectString.Parse("/chroot"));
    }

    [Fact]
    public void Chroot_maps_paths_both_ways()
    {
        var chroot = new Chroot("/app");
        Assert.Equal("/app", chroot.ToServer("/"));
        Assert.Equal("/app/a", chroot.ToServer("/a"));
        Assert.Equal("/", chroot.ToClient("/app"));
        Assert.Equal("/a/b", chroot.ToClient("/app/a/b"));
        Assert.Equal("/a", Chroot.None.ToServer("/a"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("/a/")]
    [InlineData("/a//b")]
    [InlineData("/a/./b")]
    [InlineData("/a/..")]
    public void Invalid_paths_are_bad_arguments(string path)
    {
        var e = Assert.Throws<ZooKeeperException>(() => PathValidation.Validate(path));
        Assert.Equal(ErrorCode.BadArguments, e.Code);
    }

    [Fact]
    public void A_sequential_path_may_end_with_a_slash()
    {
        PathValidation.Validate("/q/", sequential: true);
    }

    [Fact]
    public void Digest_ids_match_zookeepers_digest_provider()
    {
        // The digest ZooKeeper's DigestAuthenticationProvider.generateDigest("super:test") gives.
        Assert.Equal(new AclId("digest", "super:D/InIHSb7yEEbrWz8b9l71RjZJU="), DigestAuthentication.Id("super", "test"));
    }
}

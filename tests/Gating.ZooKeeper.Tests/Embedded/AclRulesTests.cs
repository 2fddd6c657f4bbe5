using System.Collections.Immutable;
using Gating.ZooKeeper.Embedded;

namespace Gating.ZooKeeper.Tests.Embedded;

public sealed class AclRulesTests
{
    [Fact]
    public void Digest_ids_match_the_servers()
    {
        // The id ZooKeeper 3.8 itself produced for addauth digest alice:secret with an "auth" ACL.
        Assert.Equal("alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=", AclRules.DigestId("alice:secret"));
    }

    [Fact]
    public void Auth_entries_expand_to_the_sessions_digest_ids()
    {
        ImmutableArray<AclId> auth = [new AclId("digest", "alice:x"), new AclId("digest", "bob:y")];
        var fixedAcl = AclRules.Fixup("/p", [new Acl(Perms.Read, AclId.Creator), new Acl(Perms.All, AclId.Anyone)], auth);
        Assert.Equal(
            [new Acl(Perms.Read, auth[0]), new Acl(Perms.Read, auth[1]), new Acl(Perms.All, AclId.Anyone)],
            fixedAcl.ToArray());
    }

    [Fact]
    public void Any_granting_entry_allows()
    {
        ImmutableArray<Acl> acl = [new Acl(Perms.Write, AclId.Anyone), new Acl(Perms.Read | Perms.Admin, new AclId("digest", "alice:x"))];
        Assert.True(AclRules.Allows(acl, Perms.Write, []));
        Assert.False(AclRules.Allows(acl, Perms.Read, []));
        Assert.True(AclRules.Allows(acl, Perms.Read, [new AclId("digest", "alice:x")]));
        Assert.True(AclRules.Allows([new Acl(Perms.All, new AclId("ip", "127.0.0.0/8"))], Perms.Read, []));
        Assert.False(AclRules.Allows([new Acl(Perms.All, new AclId("ip", "10.0.0.1"))], Perms.Read, []));
    }
}

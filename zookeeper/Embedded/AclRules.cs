using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace Gating.ZooKeeper.Embedded;

/// <summary>ZooKeeper's ACL rules: fixupACL on create/setACL, checkACL on each operation, and digest ids.</summary>
internal static class AclRules
{
    /// <summary>The digest id of "user:password": <c>user:base64(sha1(user:password))</c>.</summary>
    public static string DigestId(string userAndPassword)
    {
        var colon = userAndPassword.IndexOf(':', StringComparison.Ordinal);
        var user = colon < 0 ? userAndPassword : userAndPassword[..colon];
        return user + ":" + Convert.ToBase64String(SHA1.HashData(Encoding.UTF8.GetBytes(userAndPassword)));
    }

    /// <summary>
    /// Validates an ACL and expands "auth" entries into the session's authenticated ids; InvalidAcl when the list is
    /// empty, a scheme is unknown, an id is malformed, or "auth" is used by a session without credentials.
    /// </summary>
    public static ImmutableArray<Acl> Fixup(string path, IReadOnlyList<Acl>? acl, ImmutableArray<AclId> authIds)
    {
        if (acl is null || acl.Count == 0)
        {
            throw ZooKeeperException.From(ErrorCode.InvalidAcl, path);
        }
        var result = ImmutableArray.CreateBuilder<Acl>();
        foreach (var entry in acl)
        {
            switch (entry.Id.Scheme)
            {
                case "world" when entry.Id.Id == "anyone":
                    AddDistinct(result, entry);
                    break;
                case "digest" when entry.Id.Id.Split(':').Length == 2:
                    AddDistinct(result, entry);
                    break;
                case "ip" when IsValidIp(entry.Id.Id):
                    AddDistinct(result, entry);
                    break;
                case "auth":
                    var added = false;
                    foreach (var id in authIds)
                    {
                        if (id.Scheme == "digest")
                        {
                            AddDistinct(result, new Acl(entry.Perms, id));
                            added = true;
                        }
                    }
                    if (!added)
                    {
                        throw ZooKeeperException.From(ErrorCode.InvalidAcl, path);
                    }
                    break;
                default:
                    throw ZooKeeperException.From(ErrorCode.InvalidAcl, path);
            }
        }
        return result.ToImmutable();
    }

    /// <summary>True when one ACL entry grants any of <paramref name="perms"/> to the session.</summary>
    public static bool Allows(ImmutableArray<Acl> acl, Perms perms, ImmutableArray<AclId> authIds)
    {
        foreach (var entry in acl)
        {
            if ((entry.Perms & perms) == 0)
            {
                continue;
            }
            if (entry.Id.Scheme == "world" && entry.Id.Id == "anyone")
            {
                return true;
            }
            if (entry.Id.Scheme == "ip" && IpMatchesLoopback(entry.Id.Id))
            {
                return true; // an in-process session always comes from the loopback address
            }
            foreach (var id in authIds)
            {
                if (id.Scheme == entry.Id.Scheme && id.Id == entry.Id.Id)
                {
                    return true;
                }
            }
        }
        return false;
    }

    public static void Check(ImmutableArray<Acl> acl, Perms perms, ImmutableArray<AclId> authIds, string path)
    {
        if (!Allows(acl, perms, authIds))
        {
            throw ZooKeeperException.From(ErrorCode.NoAuth, path);
        }
    }

    private static void AddDistinct(ImmutableArray<Acl>.Builder result, Acl acl)
    {
        if (!result.Contains(acl))
        {
            result.Add(acl);
        }
    }

    private static bool IsValidIp(string id)
    {
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        var address = slash < 0 ? id : id[..slash];
        return System.Net.IPAddress.TryParse(address, out _)
            && (slash < 0 || int.TryParse(id[(slash + 1)..], out var bits) && bits is >= 0 and <= 128);
    }

    private static bool IpMatchesLoopback(string id)
    {
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        if (!System.Net.IPAddress.TryParse(slash < 0 ? id : id[..slash], out var address)
            || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return false;
        }
        var bits = slash < 0 ? 32 : int.Parse(id[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var mask = bits == 0 ? 0u : uint.MaxValue << (32 - Math.Min(bits, 32));
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());
        return (value & mask) == (0x7F000001u & mask);
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Gating.ZooKeeper;

/// <summary>ZooKeeper's "digest" scheme: credentials for addAuth and the ACL id that matches them.</summary>
public static class DigestAuthentication
{
    public const string Scheme = "digest";

    /// <summary>The bytes to pass to <see cref="IZooKeeper.AddAuthAsync"/>: "user:password".</summary>
    public static byte[] Credentials(string user, string password) => Encoding.UTF8.GetBytes($"{user}:{password}");

    /// <summary>The ACL id for a user: "user:base64(sha1(user:password))", as DigestAuthenticationProvider computes it.</summary>
    public static AclId Id(string user, string password) =>
        new(Scheme, $"{user}:{Convert.ToBase64String(SHA1.HashData(Credentials(user, password)))}");
}

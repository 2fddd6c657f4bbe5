using System.Security.Cryptography;

namespace Gating.Config.Tests.Secrets;

/// <summary>4096-bit keys take a second or so to make; every test shares two, each importing its own RSA object.</summary>
internal static class TestKeys
{
    private static readonly Lazy<string> s_first = new(() => { using var k = RSA.Create(4096); return k.ExportRSAPrivateKeyPem(); });
    private static readonly Lazy<string> s_second = new(() => { using var k = RSA.Create(4096); return k.ExportRSAPrivateKeyPem(); });

    public static string FirstPem => s_first.Value;

    public static RSA First() => Import(s_first.Value);

    public static RSA Second() => Import(s_second.Value);

    private static RSA Import(string pem)
    {
        var key = RSA.Create();
        key.ImportFromPem(pem);
        return key;
    }
}

using System.Security.Cryptography;
using Gating.Config.Secrets;

namespace Gating.Config.Tests.Secrets;

public sealed class ProjectKeyStoreTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("gating-keys-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task Creates_a_4096_bit_key_once_per_project_and_loads_it_back()
    {
        var store = new ProjectKeyStore(_root.FullName);
        Assert.Null(await store.LoadAsync("gerrit", "openstack/nova", CancellationToken.None));
        using var created = await store.GetOrCreateAsync("gerrit", "openstack/nova", CancellationToken.None);
        Assert.Equal(4096, created.KeySize);
        Assert.Equal(Convert.ToBase64String([1, 0, 1]), Convert.ToBase64String(created.ExportParameters(false).Exponent!));

        var path = Path.Combine(_root.FullName, "gerrit", "openstack", "nova.pem");
        Assert.Equal(path, store.KeyPath("gerrit", "openstack/nova"));
        var text = await File.ReadAllTextAsync(path);
        Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", text);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        using var again = await store.GetOrCreateAsync("gerrit", "openstack/nova", CancellationToken.None);
        Assert.Equal(created.ExportRSAPublicKeyPem(), again.ExportRSAPublicKeyPem());
        var chunks = OaepCipher.Encrypt(created, "kept");
        Assert.Equal("kept", OaepCipher.Decrypt(again, chunks).Plaintext);
    }

    [Fact]
    public async Task Projects_and_connections_have_separate_keys()
    {
        var store = new ProjectKeyStore(_root.FullName, keySizeBits: 2048);
        using var a = await store.GetOrCreateAsync("gerrit", "org/a", CancellationToken.None);
        using var b = await store.GetOrCreateAsync("gerrit", "org/b", CancellationToken.None);
        using var c = await store.GetOrCreateAsync("github", "org/a", CancellationToken.None);
        Assert.NotEqual(a.ExportRSAPublicKeyPem(), b.ExportRSAPublicKeyPem());
        Assert.NotEqual(a.ExportRSAPublicKeyPem(), c.ExportRSAPublicKeyPem());
    }

    [Fact]
    public void Public_key_pem_round_trips_into_an_encrypting_key()
    {
        using var key = TestKeys.First();
        var pem = ProjectKeyStore.PublicKeyPem(key);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", pem);
        using var pub = ProjectKeyStore.ImportPublicKey(pem, "test.pub");
        Assert.Equal("via pub", OaepCipher.Decrypt(key, OaepCipher.Encrypt(pub, "via pub")).Plaintext);
    }

    [Fact]
    public async Task A_file_without_a_private_key_is_a_clear_error()
    {
        var store = new ProjectKeyStore(_root.FullName);
        var path = store.KeyPath("gerrit", "org/broken");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var key = TestKeys.First())
        {
            await File.WriteAllTextAsync(path, ProjectKeyStore.PublicKeyPem(key));
        }
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => store.LoadAsync("gerrit", "org/broken", CancellationToken.None));
        Assert.Contains(path, error.Message);
        Assert.Throws<InvalidDataException>(() => ProjectKeyStore.ImportPublicKey("garbage", "x.pub"));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/abs")]
    [InlineData("org//double")]
    [InlineData("org/./dot")]
    public void Names_that_would_leave_the_store_are_refused(string project)
    {
        var store = new ProjectKeyStore(_root.FullName);
        Assert.Throws<ArgumentException>(() => store.KeyPath("gerrit", project));
    }

    [Fact]
    public void Store_keys_work_with_rsa_oaep_sha1_directly()
    {
        using var key = TestKeys.First();
        var cipher = key.Encrypt("raw"u8.ToArray(), RSAEncryptionPadding.OaepSHA1);
        Assert.Equal("raw", OaepCipher.Decrypt(key, [Convert.ToBase64String(cipher)]).Plaintext);
    }
}

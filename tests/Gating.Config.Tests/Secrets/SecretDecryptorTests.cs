using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Parsing;
using Gating.Config.Secrets;
using Gating.Model;

namespace Gating.Config.Tests.Secrets;

public sealed class SecretDecryptorTests
{
    private static SecretConfig ParseSecret(string yaml)
    {
        var project = new TenantProjectConfig { Name = "org/app", Connection = "gerrit", Trusted = false, Location = default };
        var parser = new ConfigFileParser(new BranchContext(project, "master", false, 0), new ErrorSink("org/app", "master"));
        parser.AddFile("zuul.yaml", yaml);
        var parsed = parser.Build();
        Assert.True(parsed.Errors.All(e => !e.IsError), string.Join("; ", parsed.Errors));
        return Assert.Single(parsed.Secrets);
    }

    [Fact]
    public void Decrypts_the_stanza_that_gating_encrypt_prints_and_keeps_plain_values()
    {
        using var key = TestKeys.First();
        var password = new string('p', 600) + "!";
        var stanza = EncryptedSecretYaml.Format("site", "password", OaepCipher.Encrypt(key, password));
        var single = OaepCipher.Encrypt(key, "short")[0];
        var yaml = stanza + "      user: plain-user\n      token: !encrypted/pkcs1-oaep " + single + "\n";
        var (data, errors) = SecretDecryptor.Decrypt(ParseSecret(yaml), key);
        Assert.Empty(errors);
        var map = Assert.IsType<VarMap>(data);
        Assert.Equal(password, ((VarScalar)map["password"]!).Text);
        Assert.Equal("plain-user", ((VarScalar)map["user"]!).Text);
        Assert.Equal("short", ((VarScalar)map["token"]!).Text);
    }

    [Fact]
    public void Wrong_key_is_an_error_at_the_encrypted_value()
    {
        using var right = TestKeys.First();
        using var wrong = TestKeys.Second();
        var yaml = EncryptedSecretYaml.Format("site", "password", OaepCipher.Encrypt(right, "x"));
        var (data, errors) = SecretDecryptor.Decrypt(ParseSecret(yaml), wrong);
        Assert.Null(data);
        var error = Assert.Single(errors);
        Assert.Equal(ConfigErrorCodes.InvalidValue, error.Code);
        Assert.Equal(5, error.Line);
        Assert.Contains("does not decrypt with this project's key", error.Message);
        Assert.Equal("org/app", error.Project);
    }
}

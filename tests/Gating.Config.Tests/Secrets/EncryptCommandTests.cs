using Gating.Cli;
using Gating.Config.Secrets;
using YamlDotNet.RepresentationModel;

namespace Gating.Config.Tests.Secrets;

/// <summary>`gating encrypt` end to end: the stanza it prints decrypts with the project's private key.</summary>
public sealed class EncryptCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("gating-encrypt-cli-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Prints_a_decryptable_stanza_and_rejects_a_bad_key_file()
    {
        using var key = TestKeys.First();
        var pub = Path.Combine(_dir.FullName, "project.pub");
        var secret = Path.Combine(_dir.FullName, "secret.txt");
        await File.WriteAllTextAsync(pub, ProjectKeyStore.PublicKeyPem(key));
        var plaintext = string.Concat(Enumerable.Repeat("0123456789abcdef", 40)) + "\n";
        await File.WriteAllTextAsync(secret, plaintext);

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await GatingCommandLine.RunAsync(
            ["encrypt", "--public-key", pub, "--infile", secret, "--secret-name", "s", "--field-name", "f"], stdout, stderr, CancellationToken.None);
        Assert.True(code == 0, stderr.ToString());
        var text = stdout.ToString();
        Assert.StartsWith("\n- secret:\n    name: s\n    data:\n      f: !encrypted/pkcs1-oaep\n        - ", text);
        Assert.EndsWith("\n\n", text);

        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var field = (YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)((YamlSequenceNode)stream.Documents[0].RootNode)[0])["secret"])["data"])["f"];
        Assert.Equal(2, field.Children.Count);
        Assert.Equal(plaintext, OaepCipher.Decrypt(key, [.. field.Children.Select(c => ((YamlScalarNode)c).Value!)]).Plaintext);

        var bad = await GatingCommandLine.RunAsync(["encrypt", "--public-key", secret, "--infile", secret], TextWriter.Null, stderr, CancellationToken.None);
        Assert.Equal(1, bad);
        Assert.Contains("not a PEM RSA public key", stderr.ToString());
    }
}

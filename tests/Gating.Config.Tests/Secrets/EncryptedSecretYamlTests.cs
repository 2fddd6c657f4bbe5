using Gating.Config.Secrets;
using YamlDotNet.RepresentationModel;

namespace Gating.Config.Tests.Secrets;

public sealed class EncryptedSecretYamlTests
{
    [Fact]
    public void Layout_matches_zuul_client_line_for_line()
    {
        var chunk = string.Concat(Enumerable.Range(0, 684).Select(i => (char)('A' + i % 26)));
        var text = EncryptedSecretYaml.Format("my-secret", "password", [chunk]);
        var lines = text.Split('\n');
        Assert.Equal("", lines[0]);
        Assert.Equal("- secret:", lines[1]);
        Assert.Equal("    name: my-secret", lines[2]);
        Assert.Equal("    data:", lines[3]);
        Assert.Equal("      password: !encrypted/pkcs1-oaep", lines[4]);
        // textwrap.fill(width=79, initial_indent=8 spaces, subsequent_indent=10 spaces) of "- " + chunk.
        Assert.Equal("        - " + chunk[..69], lines[5]);
        Assert.Equal("          " + chunk[69..138], lines[6]);
        var body = lines[5..^1];
        Assert.All(body, l => Assert.True(l.Length <= 79, l));
        Assert.Equal(1 + (684 - 69 + 68) / 69, body.Length);
        Assert.Equal(chunk, string.Concat(body.Select(l => l.TrimStart()[(l.TrimStart().StartsWith("- ", StringComparison.Ordinal) ? 2 : 0)..])));
        Assert.Equal("", lines[^1]);
    }

    [Fact]
    public void Placeholders_when_names_are_not_given()
    {
        var text = EncryptedSecretYaml.Format(null, null, ["QUJD"]);
        Assert.Contains("    name: <name>\n", text);
        Assert.Contains("      <fieldname>: !encrypted/pkcs1-oaep\n        - QUJD\n", text);
    }

    [Fact]
    public void Output_parses_as_a_tagged_list_that_decrypts_back()
    {
        using var key = TestKeys.First();
        var plaintext = string.Concat(Enumerable.Repeat("secret-data ", 100));
        var chunks = OaepCipher.Encrypt(key, plaintext);
        Assert.Equal(3, chunks.Length);
        var text = EncryptedSecretYaml.Format("s", "f", chunks);

        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var root = (YamlSequenceNode)stream.Documents[0].RootNode;
        var secret = (YamlMappingNode)((YamlMappingNode)root[0])["secret"];
        var field = (YamlSequenceNode)((YamlMappingNode)secret["data"])["f"];
        Assert.Equal("!encrypted/pkcs1-oaep", field.Tag.Value);
        var parsed = field.Children.Select(c => ((YamlScalarNode)c).Value!).ToArray();
        Assert.All(parsed, p => Assert.Contains(' ', p)); // folded lines: spaces that base64 decoding must skip
        Assert.Equal(plaintext, OaepCipher.Decrypt(key, parsed).Plaintext);
    }
}

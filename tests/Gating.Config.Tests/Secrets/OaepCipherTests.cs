using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Gating.Config.Secrets;

namespace Gating.Config.Tests.Secrets;

public sealed class OaepCipherTests
{
    [Fact]
    public void Chunk_size_for_a_4096_bit_key_is_470_bytes()
    {
        Assert.Equal(470, OaepCipher.MaxChunkBytes(4096));
    }

    [Theory]
    [InlineData("")]
    [InlineData("s3cr3t")]
    [InlineData("line one\nline two\n")]
    public void Round_trip_short_values(string plaintext)
    {
        using var key = TestKeys.First();
        var chunks = OaepCipher.Encrypt(key, plaintext);
        Assert.Equal(plaintext.Length == 0 ? 0 : 1, chunks.Length);
        if (plaintext.Length == 0)
        {
            return;
        }
        var result = OaepCipher.Decrypt(key, chunks);
        Assert.True(result.Ok, result.Error);
        Assert.Equal(plaintext, result.Plaintext);
    }

    [Theory]
    [InlineData(469, 1)]
    [InlineData(470, 1)]
    [InlineData(471, 2)]
    [InlineData(940, 2)]
    [InlineData(941, 3)]
    public void Chunks_split_exactly_at_key_bytes_minus_42(int length, int expectedChunks)
    {
        using var key = TestKeys.First();
        var plaintext = new string('x', length - 1) + "Z";
        var chunks = OaepCipher.Encrypt(key, plaintext);
        Assert.Equal(expectedChunks, chunks.Length);
        // Every chunk is one full RSA block, and the plaintexts concatenate back in order.
        Assert.All(chunks, c => Assert.Equal(512, Convert.FromBase64String(c).Length));
        var result = OaepCipher.Decrypt(key, chunks);
        Assert.Equal(plaintext, result.Plaintext);
    }

    [Fact]
    public void Each_chunk_holds_at_most_470_plaintext_bytes()
    {
        using var key = TestKeys.First();
        var plaintext = string.Concat(Enumerable.Range(0, 100).Select(i => $"{i:D9}\n"));
        var chunks = OaepCipher.Encrypt(key, plaintext);
        var sizes = chunks.Select(c => OaepCipher.Decrypt(key, [c]).Plaintext!.Length).ToArray();
        Assert.Equal([470, 470, 60], sizes);
    }

    [Fact]
    public void Multibyte_characters_are_never_cut_between_chunks()
    {
        using var key = TestKeys.First();
        // 469 ASCII bytes then a 3-byte character: a byte split would put 1 byte of it in chunk 1.
        var plaintext = new string('a', 469) + "\u20ac" + "tail";
        var chunks = OaepCipher.Encrypt(key, plaintext);
        Assert.Equal(2, chunks.Length);
        Assert.Equal(new string('a', 469), OaepCipher.Decrypt(key, [chunks[0]]).Plaintext);
        Assert.Equal(plaintext, OaepCipher.Decrypt(key, chunks).Plaintext);
    }

    [Fact]
    public void Whitespace_inside_a_chunk_is_ignored_as_python_b64decode_does()
    {
        using var key = TestKeys.First();
        var chunk = OaepCipher.Encrypt(key, "folded")[0];
        var folded = chunk[..69] + " " + chunk[69..138] + "\n" + chunk[138..];
        Assert.Equal("folded", OaepCipher.Decrypt(key, [folded]).Plaintext);
    }

    [Fact]
    public void Wrong_key_is_a_clear_error_value_not_an_exception()
    {
        using var right = TestKeys.First();
        using var wrong = TestKeys.Second();
        var chunks = OaepCipher.Encrypt(right, "for the first project only");
        var result = OaepCipher.Decrypt(wrong, chunks);
        Assert.False(result.Ok);
        Assert.Null(result.Plaintext);
        Assert.Contains("chunk 1 of 1 does not decrypt with this project's key", result.Error);
    }

    [Fact]
    public void Key_of_another_size_and_bad_base64_and_no_chunks_are_error_values()
    {
        using var key = TestKeys.First();
        using var small = RSA.Create(2048);
        var fromSmall = OaepCipher.Encrypt(small, "x");
        Assert.Contains("256 bytes", OaepCipher.Decrypt(key, fromSmall).Error);
        Assert.Contains("not valid base64", OaepCipher.Decrypt(key, ["!!not base64!!"]).Error);
        Assert.Contains("no chunks", OaepCipher.Decrypt(key, []).Error);
        var good = OaepCipher.Encrypt(key, "ok")[0];
        Assert.Contains("chunk 2 of 2", OaepCipher.Decrypt(key, [good, Convert.ToBase64String(new byte[512])]).Error);
    }

    [Fact]
    public void Decrypts_chunks_that_openssl_encrypted()
    {
        using var key = TestKeys.First();
        var dir = Directory.CreateTempSubdirectory("gating-oaep-");
        try
        {
            var pub = Path.Combine(dir.FullName, "project.pub");
            File.WriteAllText(pub, ProjectKeyStore.PublicKeyPem(key));
            var parts = new[] { new string('q', 470), "second chunk from openssl \u00e9" };
            var chunks = parts
                .Select(p => Convert.ToBase64String(OpenSsl(
                    ["pkeyutl", "-encrypt", "-pubin", "-inkey", pub, "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha1"],
                    Encoding.UTF8.GetBytes(p))))
                .ToArray();
            var result = OaepCipher.Decrypt(key, chunks);
            Assert.True(result.Ok, result.Error);
            Assert.Equal(string.Concat(parts), result.Plaintext);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Openssl_decrypts_what_we_encrypt()
    {
        using var key = TestKeys.First();
        var dir = Directory.CreateTempSubdirectory("gating-oaep-");
        try
        {
            var priv = Path.Combine(dir.FullName, "project.pem");
            File.WriteAllText(priv, TestKeys.FirstPem);
            var plaintext = string.Concat(Enumerable.Repeat("0123456789", 60));
            var chunks = OaepCipher.Encrypt(key, plaintext);
            Assert.Equal(2, chunks.Length);
            var decrypted = string.Concat(chunks.Select(c => Encoding.UTF8.GetString(OpenSsl(
                ["pkeyutl", "-decrypt", "-inkey", priv, "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha1"],
                Convert.FromBase64String(c)))));
            Assert.Equal(plaintext, decrypted);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static byte[] OpenSsl(string[] args, byte[] input)
    {
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("this test needs the openssl command (Debian package openssl)", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            using var output = new MemoryStream();
            var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
            process.StandardInput.BaseStream.Write(input);
            process.StandardInput.Close();
            copy.GetAwaiter().GetResult();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', args)} failed: {stderr.GetAwaiter().GetResult()}");
            return output.ToArray();
        }
    }
}

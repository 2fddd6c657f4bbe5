using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace Gating.Config.Secrets;

/// <summary>
/// Zuul's secret encryption scheme, <c>!encrypted/pkcs1-oaep</c>: RSAES-OAEP with SHA-1 and MGF1-SHA-1, one
/// ciphertext per chunk of plaintext, each base64-encoded. The chunk size is the key's byte length minus 42, the
/// OAEP-SHA1 overhead (2 * 20 + 2), which is what zuul-client uses: 470 bytes for a 4096-bit key.
/// </summary>
public static class OaepCipher
{
    /// <summary>OAEP with SHA-1 costs 2 * hLen + 2 = 42 bytes of every block.</summary>
    public const int OaepSha1Overhead = 42;

    /// <summary>The largest plaintext one chunk may hold for a key of <paramref name="keySizeBits"/>.</summary>
    public static int MaxChunkBytes(int keySizeBits) => keySizeBits / 8 - OaepSha1Overhead;

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> (UTF-8) with the public key into base64 chunks in order. The text is
    /// split on UTF-8 character boundaries: zuul-client splits by characters, which for ASCII is the same, and a
    /// split inside a multi-byte character would make Zuul's per-chunk UTF-8 decode fail.
    /// </summary>
    public static ImmutableArray<string> Encrypt(RSA publicKey, string plaintext)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        ArgumentNullException.ThrowIfNull(plaintext);
        var max = MaxChunkBytes(publicKey.KeySize);
        var chunks = ImmutableArray.CreateBuilder<string>();
        foreach (var piece in SplitUtf8(plaintext, max))
        {
            var cipher = publicKey.Encrypt(piece, RSAEncryptionPadding.OaepSHA1);
            chunks.Add(Convert.ToBase64String(cipher));
        }
        return chunks.ToImmutable();
    }

    /// <summary>
    /// Decrypts each base64 chunk with the private key and concatenates the plaintexts. Whitespace inside a chunk is
    /// ignored, as Python's <c>b64decode</c> ignores it: a chunk wrapped over several YAML lines folds into one
    /// scalar with spaces. Never throws for bad input; a wrong key, bad padding or bad base64 is an error value.
    /// </summary>
    public static SecretDecryption Decrypt(RSA privateKey, IReadOnlyList<string> chunks)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(chunks);
        if (chunks.Count == 0)
        {
            return SecretDecryption.Failed("the encrypted value has no chunks");
        }
        var text = new StringBuilder();
        var decoder = new UTF8Encoding(false, true);
        for (var i = 0; i < chunks.Count; i++)
        {
            byte[] cipher;
            try
            {
                cipher = Convert.FromBase64String(StripWhitespace(chunks[i]));
            }
            catch (FormatException)
            {
                return SecretDecryption.Failed($"chunk {i + 1} of {chunks.Count} is not valid base64");
            }
            if (cipher.Length != privateKey.KeySize / 8)
            {
                return SecretDecryption.Failed(
                    $"chunk {i + 1} of {chunks.Count} is {cipher.Length} bytes, but the project key is {privateKey.KeySize} bits " +
                    $"({privateKey.KeySize / 8} bytes): it was encrypted with another key");
            }
            byte[] plain;
            try
            {
                plain = privateKey.Decrypt(cipher, RSAEncryptionPadding.OaepSHA1);
            }
            catch (CryptographicException)
            {
                return SecretDecryption.Failed(
                    $"chunk {i + 1} of {chunks.Count} does not decrypt with this project's key (RSA-OAEP SHA-1): " +
                    "it was encrypted with another project's public key, or it is corrupt; encrypt it again with " +
                    "'gating encrypt --public-key' and the project's current public key");
            }
            try
            {
                text.Append(decoder.GetString(plain));
            }
            catch (DecoderFallbackException)
            {
                return SecretDecryption.Failed($"chunk {i + 1} of {chunks.Count} decrypts to bytes that are not UTF-8");
            }
        }
        return SecretDecryption.Succeeded(text.ToString());
    }

    private static IEnumerable<byte[]> SplitUtf8(string plaintext, int maxBytes)
    {
        var bytes = Encoding.UTF8.GetBytes(plaintext);
        var start = 0;
        while (start < bytes.Length)
        {
            var end = Math.Min(start + maxBytes, bytes.Length);
            // Step back off UTF-8 continuation bytes (10xxxxxx) so no character is cut in two.
            while (end < bytes.Length && end > start && (bytes[end] & 0xC0) == 0x80)
            {
                end--;
            }
            yield return bytes[start..end];
            start = end;
        }
    }

    private static string StripWhitespace(string chunk)
    {
        var builder = new StringBuilder(chunk.Length);
        foreach (var c in chunk)
        {
            if (!char.IsWhiteSpace(c))
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }
}

/// <summary>The outcome of decrypting one encrypted value: the plaintext, or why it could not be decrypted.</summary>
/// <param name="Plaintext">The concatenated plaintext of every chunk; null when <paramref name="Error"/> is set.</param>
/// <param name="Error">What went wrong, worded for the person who wrote the secret; null on success.</param>
public sealed record SecretDecryption(string? Plaintext, string? Error)
{
    /// <summary>True when every chunk decrypted.</summary>
    public bool Ok => Error is null;

    internal static SecretDecryption Succeeded(string plaintext) => new(plaintext, null);

    internal static SecretDecryption Failed(string error) => new(null, error);
}

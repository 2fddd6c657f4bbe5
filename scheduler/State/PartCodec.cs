using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gating.Coordination;

namespace Gating.Scheduler.State;

/// <summary>
/// The bytes of part znodes and of the header znode. A part is its value's JSON deflated (zlib), split into pieces
/// of at most <c>pieceBytes</c> when large. The header znode is <c>Z</c> + the deflated header, or, when that is too
/// large for one request, <c>C</c> + the JSON list of the part znodes holding the deflated header.
/// </summary>
internal static class PartCodec
{
    private const byte Inline = (byte)'Z';
    private const byte Chunked = (byte)'C';

    /// <summary>The JSON of a value and its digest (what "unchanged" is decided on).</summary>
    public static (byte[] Json, byte[] Digest) Serialize(object value, Type type)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, type, SchedulerJson.Options);
        return (json, SHA256.HashData(json));
    }

    /// <summary>Deflates <paramref name="json"/> into pieces of at most <paramref name="pieceBytes"/>.</summary>
    public static List<byte[]> Pack(byte[] json, int pieceBytes)
    {
        var compressed = Compress(json);
        var pieces = new List<byte[]>();
        for (var offset = 0; offset < compressed.Length || pieces.Count == 0; offset += pieceBytes)
        {
            pieces.Add(compressed.AsSpan(offset, Math.Min(pieceBytes, compressed.Length - offset)).ToArray());
        }
        return pieces;
    }

    /// <summary>The JSON of the pieces (in order) written by <see cref="Pack"/>.</summary>
    public static byte[] Unpack(IReadOnlyList<byte[]> pieces)
    {
        var compressed = new MemoryStream();
        foreach (var piece in pieces)
        {
            compressed.Write(piece);
        }
        compressed.Position = 0;
        return Zlib.Decompress(compressed);
    }

    /// <summary>The header znode's bytes for a header that fits inline.</summary>
    public static byte[] InlineHeader(byte[] compressed) => [Inline, .. compressed];

    /// <summary>The header znode's bytes for a header kept in part znodes.</summary>
    public static byte[] ChunkedHeader(IReadOnlyList<string> chunks) => [Chunked, .. JsonSerializer.SerializeToUtf8Bytes(chunks)];

    /// <summary>Either the deflated header (inline) or the names of the parts holding it.</summary>
    public static (byte[]? Compressed, IReadOnlyList<string> Chunks) ReadHeader(byte[] data) => data switch
    {
        [Inline, ..] => (data[1..], []),
        [Chunked, ..] => (null, JsonSerializer.Deserialize<List<string>>(data.AsSpan(1)) ?? []),
        _ => throw new InvalidDataException($"unknown pipeline state header format ({(data.Length == 0 ? "empty" : Encoding.ASCII.GetString(data, 0, 1))})"),
    };

    // Fastest: parts are small and written on the pass's critical path; the ratio on JSON stays high.
    private static byte[] Compress(byte[] data) => Zlib.Compress(data, CompressionLevel.Fastest);
}

using System.IO.Compression;

namespace Gating.Coordination;

/// <summary>
/// The zlib framing of everything Gating keeps compressed in ZooKeeper (sharded blobs, the scheduler's state
/// parts), as Zuul stores its blobs: one place decides the format, so every reader agrees with every writer.
/// </summary>
public static class Zlib
{
    /// <summary>Compresses <paramref name="data"/> at <paramref name="level"/>.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> data, CompressionLevel level)
    {
        var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, level, leaveOpen: true))
        {
            zlib.Write(data);
        }
        return output.ToArray();
    }

    /// <summary>Inflates a whole stream: zlib's own checksum guards the bytes.</summary>
    public static byte[] Decompress(Stream compressed)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        using var zlib = new ZLibStream(compressed, CompressionMode.Decompress);
        var output = new MemoryStream();
        zlib.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Inflates exactly <paramref name="length"/> bytes; more or fewer is an error.</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> compressed, int length)
    {
        using var zlib = new ZLibStream(new MemoryStream(compressed.ToArray()), CompressionMode.Decompress);
        var data = new byte[length];
        zlib.ReadExactly(data);
        if (zlib.ReadByte() != -1)
        {
            throw new InvalidDataException("compressed data inflates to more bytes than its header says");
        }
        return data;
    }
}

using System.Buffers.Binary;

namespace Gating.ZooKeeper.Protocol;

/// <summary>
/// Splits a byte stream into ZooKeeper frames (a 4-byte big-endian length, then the payload). It never touches a
/// socket: the transport hands it whatever has arrived and it answers "here is a frame" or "need more data".
/// A length that is negative or over the limit throws before anything of that size is allocated.
/// </summary>
internal sealed class FrameReader
{
    public const int HeaderLength = 4;

    public FrameReader(int maxFrameLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameLength, 16);
        MaxFrameLength = maxFrameLength;
    }

    public int MaxFrameLength { get; }

    /// <summary>
    /// Reads one frame from the front of <paramref name="buffered"/>. Returns false when more bytes are needed;
    /// <paramref name="required"/> is then the total number of bytes (header included) the next frame needs, or
    /// <see cref="HeaderLength"/> if even the length is incomplete.
    /// </summary>
    public bool TryRead(ReadOnlySpan<byte> buffered, out ReadOnlySpan<byte> frame, out int consumed, out int required)
    {
        frame = default;
        consumed = 0;
        if (buffered.Length < HeaderLength)
        {
            required = HeaderLength;
            return false;
        }
        var length = BinaryPrimitives.ReadInt32BigEndian(buffered);
        if (length < 0)
        {
            throw new ZooKeeperProtocolException($"invalid frame length {length}: negative (garbage on the connection?)");
        }
        if (length > MaxFrameLength)
        {
            throw new ZooKeeperProtocolException(
                $"frame length {length} exceeds the limit of {MaxFrameLength} bytes (ZooKeeperClientOptions.MaxFrameLength); not allocating it");
        }
        required = HeaderLength + length;
        if (buffered.Length < required)
        {
            return false;
        }
        frame = buffered.Slice(HeaderLength, length);
        consumed = required;
        return true;
    }
}

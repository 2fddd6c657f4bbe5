using System.Buffers.Binary;
using System.Text;

namespace Gating.ZooKeeper.Protocol;

/// <summary>
/// Writes Jute records (big-endian ints and longs, length-prefixed strings and buffers, vectors) into one growable
/// buffer that holds any number of frames; the transport flushes it with a single send. Not thread-safe: one per
/// write loop.
/// </summary>
internal sealed class JuteWriter
{
    private byte[] _buffer;
    private int _position;

    public JuteWriter(int initialCapacity = 4096)
    {
        _buffer = new byte[initialCapacity];
    }

    public int Length => _position;

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _position);

    public void Reset() => _position = 0;

    /// <summary>Drops everything written after <paramref name="position"/> (a frame that could not be completed).</summary>
    public void Truncate(int position) => _position = position;

    /// <summary>Starts a frame: reserves its length prefix and returns the frame's start for <see cref="EndFrame"/>.</summary>
    public int BeginFrame()
    {
        var start = _position;
        WriteInt(0);
        return start;
    }

    /// <summary>Patches the length prefix of the frame begun at <paramref name="start"/>.</summary>
    public void EndFrame(int start) =>
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(start), _position - start - FrameReader.HeaderLength);

    public void WriteInt(int value) => BinaryPrimitives.WriteInt32BigEndian(Reserve(4), value);

    public void WriteLong(long value) => BinaryPrimitives.WriteInt64BigEndian(Reserve(8), value);

    public void WriteBool(bool value) => Reserve(1)[0] = value ? (byte)1 : (byte)0;

    /// <summary>A Jute ustring: UTF-8 bytes after an int length, -1 for null.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt(-1);
            return;
        }
        var count = Encoding.UTF8.GetByteCount(value);
        WriteInt(count);
        Encoding.UTF8.GetBytes(value, Reserve(count));
    }

    /// <summary>A Jute buffer: bytes after an int length (an empty buffer is written as length 0, not -1).</summary>
    public void WriteBuffer(ReadOnlySpan<byte> value)
    {
        WriteInt(value.Length);
        value.CopyTo(Reserve(value.Length));
    }

    public void WriteStrings(IReadOnlyCollection<string> values)
    {
        WriteInt(values.Count);
        foreach (var value in values)
        {
            WriteString(value);
        }
    }

    public void WriteAcls(IReadOnlyList<Acl> acls)
    {
        WriteInt(acls.Count);
        foreach (var acl in acls)
        {
            WriteInt((int)acl.Perms);
            WriteString(acl.Id.Scheme);
            WriteString(acl.Id.Id);
        }
    }

    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _position < count)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _position + count));
        }
        var span = _buffer.AsSpan(_position, count);
        _position += count;
        return span;
    }
}

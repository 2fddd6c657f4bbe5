using System.Buffers.Binary;
using System.Text;

namespace Gating.ZooKeeper.Protocol;

/// <summary>
/// Reads Jute records from one received frame. Every length is checked against what is left of the frame, so a
/// truncated or corrupt record throws <see cref="ZooKeeperProtocolException"/> instead of reading past it or
/// allocating what a bad length asks for.
/// </summary>
internal ref struct JuteReader
{
    private readonly ReadOnlySpan<byte> _frame;
    private int _position;

    public JuteReader(ReadOnlySpan<byte> frame)
    {
        _frame = frame;
        _position = 0;
    }

    public readonly int Remaining => _frame.Length - _position;

    public readonly ReadOnlySpan<byte> Rest => _frame[_position..];

    public int ReadInt() => BinaryPrimitives.ReadInt32BigEndian(Take(4, "int"));

    public long ReadLong() => BinaryPrimitives.ReadInt64BigEndian(Take(8, "long"));

    public bool ReadBool() => Take(1, "bool")[0] != 0;

    public string? ReadString()
    {
        var length = ReadLength("string");
        return length < 0 ? null : Encoding.UTF8.GetString(Take(length, "string"));
    }

    /// <summary>A non-null string; a null on the wire (length -1) reads as empty.</summary>
    public string ReadRequiredString() => ReadString() ?? "";

    public byte[] ReadBuffer()
    {
        var length = ReadLength("buffer");
        return length < 0 ? [] : Take(length, "buffer").ToArray();
    }

    public Stat ReadStat() => new(
        Czxid: ReadLong(),
        Mzxid: ReadLong(),
        Ctime: ReadLong(),
        Mtime: ReadLong(),
        Version: ReadInt(),
        Cversion: ReadInt(),
        Aversion: ReadInt(),
        EphemeralOwner: ReadLong(),
        DataLength: ReadInt(),
        NumChildren: ReadInt(),
        Pzxid: ReadLong());

    public List<string> ReadStrings()
    {
        // Each element takes at least 4 bytes, which bounds a corrupt count before the list is sized.
        var count = ReadCount(4, "string vector");
        var values = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            values.Add(ReadRequiredString());
        }
        return values;
    }

    public List<Acl> ReadAcls()
    {
        var count = ReadCount(12, "ACL vector");
        var acls = new List<Acl>(count);
        for (var i = 0; i < count; i++)
        {
            var perms = (Perms)ReadInt();
            var scheme = ReadRequiredString();
            var id = ReadRequiredString();
            acls.Add(new Acl(perms, new AclId(scheme, id)));
        }
        return acls;
    }

    private int ReadLength(string what)
    {
        var length = ReadInt();
        if (length > Remaining)
        {
            throw new ZooKeeperProtocolException($"truncated {what}: length {length} but only {Remaining} bytes left in the frame");
        }
        return length;
    }

    private int ReadCount(int minElementSize, string what)
    {
        var count = ReadInt();
        if (count < 0)
        {
            return 0; // Jute writes a null vector as -1
        }
        if ((long)count * minElementSize > Remaining)
        {
            throw new ZooKeeperProtocolException($"truncated {what}: {count} elements cannot fit in {Remaining} bytes");
        }
        return count;
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > Remaining)
        {
            throw new ZooKeeperProtocolException($"truncated frame: needed {count} bytes for a {what}, {Remaining} left");
        }
        var span = _frame.Slice(_position, count);
        _position += count;
        return span;
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.IO.Hashing;
using System.Text;

namespace Gating.ZooKeeper.Embedded;

/// <summary>
/// The binary form of journal records: <c>[int32 length][uint32 crc32(payload)][payload]</c>, the payload being a
/// transaction (zxid, time, ops). A record cut short or with a wrong checksum marks the torn end of the journal.
/// </summary>
internal static class TxnCodec
{
    public const int HeaderLength = 8;

    /// <summary>No transaction comes near this; a bigger length field is garbage from a torn write.</summary>
    public const int MaxRecordLength = 64 * 1024 * 1024;

    public static void WriteRecord(ArrayBufferWriter<byte> output, Txn txn)
    {
        var header = output.GetSpan(HeaderLength)[..HeaderLength];
        header.Clear();
        output.Advance(HeaderLength);
        var start = output.WrittenCount;
        var writer = new BinaryScratch(output);
        writer.Long(txn.Zxid);
        writer.Long(txn.Time);
        writer.Int(txn.Ops.Length);
        foreach (var op in txn.Ops)
        {
            WriteOp(ref writer, op);
        }
        var payload = output.WrittenSpan[start..];
        // The header was reserved before the payload; patch it in place.
        var patch = System.Runtime.InteropServices.MemoryMarshal.AsMemory(output.WrittenMemory).Span.Slice(start - HeaderLength, HeaderLength);
        BinaryPrimitives.WriteInt32LittleEndian(patch, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(patch[4..], Crc32.HashToUInt32(payload));
    }

    /// <summary>Reads one record at <paramref name="offset"/>; false when the bytes there are not a whole, valid record.</summary>
    public static bool TryReadRecord(ReadOnlySpan<byte> buffer, int offset, out Txn? txn, out int next)
    {
        txn = null;
        next = offset;
        if (buffer.Length - offset < HeaderLength)
        {
            return false;
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(buffer[offset..]);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(buffer[(offset + 4)..]);
        if (length <= 0 || length > MaxRecordLength || buffer.Length - offset - HeaderLength < length)
        {
            return false;
        }
        var payload = buffer.Slice(offset + HeaderLength, length);
        if (Crc32.HashToUInt32(payload) != crc)
        {
            return false;
        }
        var reader = new BinaryCursor(payload);
        var zxid = reader.Long();
        var time = reader.Long();
        var count = reader.Int();
        var ops = ImmutableArray.CreateBuilder<TxnOp>(count);
        for (var i = 0; i < count; i++)
        {
            ops.Add(ReadOp(ref reader));
        }
        txn = new Txn(zxid, time, ops.MoveToImmutable());
        next = offset + HeaderLength + length;
        return true;
    }

    private static void WriteOp(ref BinaryScratch writer, TxnOp op)
    {
        switch (op)
        {
            case TxnOp.CreateNode c:
                writer.Byte(1);
                writer.String(c.Path);
                writer.Bytes(c.Data);
                writer.Acl(c.Acl);
                writer.Long(c.EphemeralOwner);
                break;
            case TxnOp.DeleteNode d:
                writer.Byte(2);
                writer.String(d.Path);
                break;
            case TxnOp.SetData s:
                writer.Byte(3);
                writer.String(s.Path);
                writer.Bytes(s.Data);
                break;
            case TxnOp.SetAcl a:
                writer.Byte(4);
                writer.String(a.Path);
                writer.Acl(a.Acl);
                break;
            case TxnOp.CreateSession cs:
                writer.Byte(5);
                writer.Long(cs.SessionId);
                writer.Int(cs.TimeoutMs);
                writer.Bytes(cs.Password);
                break;
            case TxnOp.CloseSession close:
                writer.Byte(6);
                writer.Long(close.SessionId);
                break;
            default:
                throw new InvalidOperationException($"unknown op {op}");
        }
    }

    private static TxnOp ReadOp(ref BinaryCursor reader) => reader.Byte() switch
    {
        1 => new TxnOp.CreateNode(reader.String(), reader.Bytes(), reader.Acl(), reader.Long()),
        2 => new TxnOp.DeleteNode(reader.String()),
        3 => new TxnOp.SetData(reader.String(), reader.Bytes()),
        4 => new TxnOp.SetAcl(reader.String(), reader.Acl()),
        5 => new TxnOp.CreateSession(reader.Long(), reader.Int(), reader.Bytes()),
        6 => new TxnOp.CloseSession(reader.Long()),
        var kind => throw new InvalidDataException($"unknown journal op kind {kind}"),
    };
}

/// <summary>Little-endian primitives appended to a buffer writer.</summary>
internal readonly ref struct BinaryScratch(ArrayBufferWriter<byte> output)
{
    public void Byte(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    public void Int(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    public void Long(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        Int(value.Length);
        output.Write(value);
    }

    public void String(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        Int(length);
        Encoding.UTF8.GetBytes(value, output.GetSpan(length));
        output.Advance(length);
    }

    public void Acl(ImmutableArray<Acl> acl)
    {
        Int(acl.Length);
        foreach (var entry in acl)
        {
            Int((int)entry.Perms);
            String(entry.Id.Scheme);
            String(entry.Id.Id);
        }
    }
}

/// <summary>Reads what <see cref="BinaryScratch"/> wrote; throws <see cref="InvalidDataException"/> past the end.</summary>
internal ref struct BinaryCursor(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private int _offset;

    public bool AtEnd => _offset == _buffer.Length;

    public byte Byte() => Take(1)[0];

    public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long Long() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public byte[] Bytes() => Take(Length()).ToArray();

    public string String() => Encoding.UTF8.GetString(Take(Length()));

    public ImmutableArray<Acl> Acl()
    {
        var count = Length();
        var acl = ImmutableArray.CreateBuilder<Acl>(count);
        for (var i = 0; i < count; i++)
        {
            var perms = (Perms)Int();
            acl.Add(new Acl(perms, new AclId(String(), String())));
        }
        return acl.MoveToImmutable();
    }

    private int Length()
    {
        var length = Int();
        return length < 0 || length > _buffer.Length - _offset ? throw new InvalidDataException("length out of range") : length;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_buffer.Length - _offset < count)
        {
            throw new InvalidDataException("record ends early");
        }
        var span = _buffer.Slice(_offset, count);
        _offset += count;
        return span;
    }
}

using System.Buffers;
using System.Collections.Immutable;
using Gating.ZooKeeper.Embedded;

namespace Gating.ZooKeeper.Tests.Embedded;

public sealed class TxnCodecTests
{
    private static readonly Txn Sample = new(42, 1_700_000_000_000,
    [
        new TxnOp.CreateNode("/a/ü", [1, 2, 3], [new Acl(Perms.Read, new AclId("digest", "u:h"))], 7),
        new TxnOp.SetData("/a", []),
        new TxnOp.SetAcl("/a", [.. Acl.OpenUnsafe]),
        new TxnOp.DeleteNode("/a/ü"),
        new TxnOp.CreateSession(99, 4000, [9, 8]),
        new TxnOp.CloseSession(99),
    ]);

    [Fact]
    public void A_record_reads_back_as_written()
    {
        var output = new ArrayBufferWriter<byte>();
        TxnCodec.WriteRecord(output, Sample);
        TxnCodec.WriteRecord(output, Sample with { Zxid = 43, Ops = [] });
        Assert.True(TxnCodec.TryReadRecord(output.WrittenSpan, 0, out var first, out var next));
        Assert.Equal(Sample.Zxid, first!.Zxid);
        Assert.Equal(Sample.Time, first.Time);
        Assert.Equal(Sample.Ops.Length, first.Ops.Length);
        var create = Assert.IsType<TxnOp.CreateNode>(first.Ops[0]);
        Assert.Equal("/a/ü", create.Path);
        Assert.Equal([1, 2, 3], create.Data);
        Assert.Equal(Sample.Ops.OfType<TxnOp.CreateNode>().Single().Acl.ToArray(), create.Acl.ToArray());
        Assert.Equal(7, create.EphemeralOwner);
        Assert.Equal(new TxnOp.CloseSession(99), first.Ops[5]);
        Assert.True(TxnCodec.TryReadRecord(output.WrittenSpan, next, out var second, out var end));
        Assert.Equal(43, second!.Zxid);
        Assert.Equal(output.WrittenCount, end);
        Assert.False(TxnCodec.TryReadRecord(output.WrittenSpan, end, out _, out _));
    }

    [Fact]
    public void A_cut_or_damaged_record_is_not_read()
    {
        var output = new ArrayBufferWriter<byte>();
        TxnCodec.WriteRecord(output, Sample);
        var bytes = output.WrittenSpan.ToArray();
        for (var cut = 0; cut < bytes.Length; cut++)
        {
            Assert.False(TxnCodec.TryReadRecord(bytes.AsSpan(0, cut), 0, out _, out _));
        }
        for (var i = 0; i < bytes.Length; i++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x40;
            Assert.False(TxnCodec.TryReadRecord(damaged, 0, out _, out _), $"a flipped bit at {i} went unnoticed");
        }
    }
}

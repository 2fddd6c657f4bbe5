using Gating.ZooKeeper.Protocol;

namespace Gating.ZooKeeper.Tests.Protocol;

public sealed class JuteTests
{
    [Fact]
    public void Records_round_trip_big_endian()
    {
        var writer = new JuteWriter(8);
        var start = writer.BeginFrame();
        writer.WriteInt(-2);
        writer.WriteLong(0x0102030405060708);
        writer.WriteBool(true);
        writer.WriteString("/a/ü");
        writer.WriteString(null);
        writer.WriteBuffer([1, 2, 3]);
        writer.WriteStrings(["x", "yz"]);
        writer.WriteAcls([new Acl(Perms.Read | Perms.Admin, new AclId("digest", "u:h"))]);
        writer.EndFrame(start);
        var bytes = writer.Written.ToArray();
        Assert.Equal([0, 0, 0, (byte)(bytes.Length - 4), 0xff, 0xff, 0xff, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8, 1], bytes[..17]);

        var reader = new JuteReader(bytes.AsSpan(4));
        Assert.Equal(-2, reader.ReadInt());
        Assert.Equal(0x0102030405060708, reader.ReadLong());
        Assert.True(reader.ReadBool());
        Assert.Equal("/a/ü", reader.ReadString());
        Assert.Null(reader.ReadString());
        Assert.Equal([1, 2, 3], reader.ReadBuffer());
        Assert.Equal(["x", "yz"], reader.ReadStrings());
        Assert.Equal([new Acl(Perms.Read | Perms.Admin, new AclId("digest", "u:h"))], reader.ReadAcls());
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void A_length_past_the_frame_throws_instead_of_allocating()
    {
        byte[] frame = [0x7f, 0xff, 0xff, 0xff, 1, 2];
        var e = Assert.Throws<ZooKeeperProtocolException>(() => new JuteReader(frame).ReadBuffer());
        Assert.Contains("truncated buffer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vector_count_that_cannot_fit_throws()
    {
        byte[] frame = [0x00, 0x10, 0x00, 0x00, 0, 0, 0, 1, 0x61];
        Assert.Throws<ZooKeeperProtocolException>(() => new JuteReader(frame).ReadStrings());
    }

    [Fact]
    public void Reading_past_the_end_throws()
    {
        Assert.Throws<ZooKeeperProtocolException>(() => new JuteReader([0, 0, 0]).ReadInt());
    }

    [Fact]
    public void Multi_request_ends_with_a_done_header_and_a_response_reads_per_op()
    {
        var writer = new JuteWriter();
        MultiRecords.WriteRequest(writer, [new Op.Check("/a", 3)], (p, _) => "/root" + p);
        var reader = new JuteReader(writer.Written.Span);
        Assert.Equal(new MultiHeader(OpCode.Check, false, -1), MultiHeader.Read(ref reader));
        Assert.Equal("/root/a", reader.ReadString());
        Assert.Equal(3, reader.ReadInt());
        Assert.Equal(new MultiHeader(OpCode.Error, true, -1), MultiHeader.Read(ref reader));

        var response = new JuteWriter();
        new MultiHeader(OpCode.Create, false, 0).Write(response);
        response.WriteString("/root/n");
        new MultiHeader(OpCode.Error, false, 0).Write(response);
        response.WriteInt(-101);
        new MultiHeader(OpCode.Error, true, -1).Write(response);
        var responseReader = new JuteReader(response.Written.Span);
        var results = MultiRecords.ReadResponse(ref responseReader, p => p["/root".Length..]);
        Assert.Equal([new OpResult.Create("/n", default), new OpResult.Error(ErrorCode.NoNode)], results);
    }
}

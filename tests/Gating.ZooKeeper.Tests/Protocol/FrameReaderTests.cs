using Gating.ZooKeeper.Protocol;

namespace Gating.ZooKeeper.Tests.Protocol;

public sealed class FrameReaderTests
{
    private readonly FrameReader _reader = new(1024);

    [Fact]
    public void Needs_the_length_first()
    {
        Assert.False(_reader.TryRead([0, 0], out _, out var consumed, out var required));
        Assert.Equal(0, consumed);
        Assert.Equal(4, required);
    }

    [Fact]
    public void Needs_the_whole_frame_then_returns_it()
    {
        byte[] bytes = [0, 0, 0, 3, 7, 8];
        Assert.False(_reader.TryRead(bytes, out _, out _, out var required));
        Assert.Equal(7, required);
        byte[] complete = [0, 0, 0, 3, 7, 8, 9, 0, 0];
        Assert.True(_reader.TryRead(complete, out var frame, out var consumed, out _));
        Assert.Equal([7, 8, 9], frame.ToArray());
        Assert.Equal(7, consumed);
    }

    [Fact]
    public void A_length_over_the_limit_throws_a_clear_error()
    {
        var e = Assert.Throws<ZooKeeperProtocolException>(() => _reader.TryRead([0, 0, 4, 1], out _, out _, out _));
        Assert.Equal("frame length 1025 exceeds the limit of 1024 bytes (ZooKeeperClientOptions.MaxFrameLength); not allocating it", e.Message);
    }

    [Fact]
    public void A_negative_length_throws()
    {
        Assert.Throws<ZooKeeperProtocolException>(() => _reader.TryRead([0xff, 0, 0, 0], out _, out _, out _));
    }
}

namespace Gating.ZooKeeper.Protocol;

/// <summary>The first frame a client sends (zookeeper.jute ConnectRequest).</summary>
internal readonly record struct ConnectRequest(int ProtocolVersion, long LastZxidSeen, int TimeoutMilliseconds, long SessionId, byte[] Password, bool ReadOnly)
{
    public void Write(JuteWriter writer)
    {
        writer.WriteInt(ProtocolVersion);
        writer.WriteLong(LastZxidSeen);
        writer.WriteInt(TimeoutMilliseconds);
        writer.WriteLong(SessionId);
        writer.WriteBuffer(Password);
        writer.WriteBool(ReadOnly);
    }
}

/// <summary>The server's answer to <see cref="ConnectRequest"/>. A timeout of 0 or less means the session expired.</summary>
internal readonly record struct ConnectResponse(int ProtocolVersion, int TimeoutMilliseconds, long SessionId, byte[] Password, bool ReadOnly)
{
    public static ConnectResponse Read(ReadOnlySpan<byte> frame)
    {
        var reader = new JuteReader(frame);
        var version = reader.ReadInt();
        var timeout = reader.ReadInt();
        var sessionId = reader.ReadLong();
        var password = reader.ReadBuffer();
        // Servers before 3.4 do not send the read-only flag.
        var readOnly = reader.Remaining > 0 && reader.ReadBool();
        return new ConnectResponse(version, timeout, sessionId, password, readOnly);
    }
}

/// <summary>Every request after the handshake starts with this header.</summary>
internal readonly record struct RequestHeader(int Xid, OpCode Type)
{
    public void Write(JuteWriter writer)
    {
        writer.WriteInt(Xid);
        writer.WriteInt((int)Type);
    }
}

/// <summary>Every reply after the handshake starts with this header; the body follows only when Err is 0.</summary>
internal readonly record struct ReplyHeader(int Xid, long Zxid, ErrorCode Err)
{
    public const int Length = 16;

    public static ReplyHeader Read(ref JuteReader reader) => new(reader.ReadInt(), reader.ReadLong(), (ErrorCode)reader.ReadInt());
}

/// <summary>A watch notification (zookeeper.jute WatcherEvent), the body of a reply with xid -1.</summary>
internal readonly record struct WatcherEventRecord(WatchedEventType Type, int State, string Path)
{
    public static WatcherEventRecord Read(ref JuteReader reader) =>
        new((WatchedEventType)reader.ReadInt(), reader.ReadInt(), reader.ReadRequiredString());
}

/// <summary>The header in front of each op of a multi request and response (zookeeper.jute MultiHeader).</summary>
internal readonly record struct MultiHeader(OpCode Type, bool Done, int Err)
{
    public void Write(JuteWriter writer)
    {
        writer.WriteInt((int)Type);
        writer.WriteBool(Done);
        writer.WriteInt(Err);
    }

    public static MultiHeader Read(ref JuteReader reader) => new((OpCode)reader.ReadInt(), reader.ReadBool(), reader.ReadInt());
}

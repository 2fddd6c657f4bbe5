using Gating.ZooKeeper.Protocol;

namespace Gating.ZooKeeper.Session;

/// <summary>Parses a successful reply's body (the part after the <see cref="ReplyHeader"/>).</summary>
internal delegate T ReplyParser<T>(in ReplyHeader header, ref JuteReader body);

/// <summary>
/// One request on its way: how to write its body, and what to do with the reply. The write loop gives it an xid
/// and puts it in the pending queue just before its bytes are written; the read loop completes it.
/// </summary>
internal abstract class Call
{
    protected Call(OpCode opCode, string? path, WatchRegistration? watch)
    {
        OpCode = opCode;
        Path = path;
        Watch = watch;
    }

    public int Xid { get; set; }

    public OpCode OpCode { get; }

    /// <summary>The path as the caller gave it (chroot-relative), for error messages.</summary>
    public string? Path { get; }

    /// <summary>The watch to register when the reply says the server set it.</summary>
    public WatchRegistration? Watch { get; }

    public abstract void WriteBody(JuteWriter writer);

    /// <summary>Called on the read loop with the reply; must not block.</summary>
    public abstract void Complete(in ReplyHeader header, ref JuteReader body);

    public abstract void Fail(Exception exception);
}

/// <summary>A call whose reply becomes a <typeparamref name="T"/>.</summary>
internal sealed class Call<T> : Call
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<JuteWriter> _write;
    private readonly ReplyParser<T> _parse;
    private readonly Func<ErrorCode, bool>? _acceptsError;

    /// <param name="acceptsError">Error codes that the parser turns into a value (exists: NoNode means null).</param>
    public Call(OpCode opCode, string? path, Action<JuteWriter> write, ReplyParser<T> parse,
        WatchRegistration? watch = null, Func<ErrorCode, bool>? acceptsError = null)
        : base(opCode, path, watch)
    {
        _write = write;
        _parse = parse;
        _acceptsError = acceptsError;
    }

    public Task<T> Task => _completion.Task;

    public override void WriteBody(JuteWriter writer) => _write(writer);

    public override void Complete(in ReplyHeader header, ref JuteReader body)
    {
        if (header.Err != ErrorCode.Ok && _acceptsError?.Invoke(header.Err) != true)
        {
            _completion.TrySetException(ZooKeeperException.From(header.Err, Path));
            return;
        }
        // A malformed body is a protocol error: it escapes to the read loop, which breaks the connection (and
        // so fails this call with ConnectionLoss).
        _completion.TrySetResult(_parse(header, ref body));
    }

    public override void Fail(Exception exception) => _completion.TrySetException(exception);
}

/// <summary>The keep-alive: xid -2, no body, not in the pending queue (its reply is recognised by the xid).</summary>
internal sealed class PingCall : Call
{
    public static readonly PingCall Instance = new();

    private PingCall()
        : base(OpCode.Ping, null, null)
    {
        Xid = Xids.Ping;
    }

    public override void WriteBody(JuteWriter writer)
    {
    }

    public override void Complete(in ReplyHeader header, ref JuteReader body)
    {
    }

    public override void Fail(Exception exception)
    {
    }
}

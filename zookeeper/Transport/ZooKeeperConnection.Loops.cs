using System.Net.Sockets;
using Gating.ZooKeeper.Protocol;
using Gating.ZooKeeper.Session;

namespace Gating.ZooKeeper.Transport;

internal sealed partial class ZooKeeperConnection
{
    private const int WriteBatchBytes = 64 * 1024;

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly JuteWriter _writer = new(WriteBatchBytes);
    private volatile bool _primed;

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int required;
            while (_frames.TryRead(_readBuffer.AsSpan(_readStart, _readEnd - _readStart), out var frame, out var consumed, out required))
            {
                HandleFrame(frame);
                _readStart += consumed;
            }
            if (_readStart == _readEnd)
            {
                _readStart = _readEnd = 0;
            }
            _breadcrumb = _readStart == _readEnd ? "awaiting the next frame" : $"awaiting the rest of a {required}-byte frame, {_readEnd - _readStart} bytes in";
            await ReceiveAsync(required, cancellationToken);
        }
    }

    private void HandleFrame(ReadOnlySpan<byte> frame)
    {
        var reader = new JuteReader(frame);
        var header = ReplyHeader.Read(ref reader);
        if (header.Zxid > 0)
        {
            _owner.OnZxid(header.Zxid);
        }
        switch (header.Xid)
        {
            case Xids.Notification:
                _breadcrumb = "reading a watch notification";
                _owner.OnNotification(WatcherEventRecord.Read(ref reader));
                return;
            case Xids.Ping:
                return;
            case Xids.SetWatches:
                _owner.OnPrimeReply(header);
                return;
        }
        if (header.Xid < 0 && header.Xid != Xids.Auth)
        {
            throw new ZooKeeperProtocolException($"reply with unknown reserved xid {header.Xid}");
        }
        var call = _pending.TakeFor(header.Xid);
        if (call is null)
        {
            _owner.OnPrimeReply(header); // an auth packet replayed at re-attach
            return;
        }
        _breadcrumb = $"reading the reply to xid {header.Xid} ({call.OpCode} {call.Path})";
        try
        {
            _owner.OnReply(call, header);
            call.Complete(header, ref reader);
        }
        catch (Exception e)
        {
            call.Fail(new ZooKeeperException(ErrorCode.ConnectionLoss, call.Path,
                $"connection to ZooKeeper server {Endpoint} lost: {e.Message}", e));
            throw;
        }
    }

    /// <summary>
    /// Takes whatever requests are queued, writes them into one buffer and sends it with one syscall: requests are
    /// pipelined, and each is in the pending queue before its bytes leave. The write gate keeps batches and inline
    /// writes apart, so bytes leave in xid order.
    /// </summary>
    private async Task WriteLoopAsync(ReadOnlyMemory<byte> prime, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            if (!prime.IsEmpty)
            {
                await SendAsync(prime, cancellationToken);
            }
            _primed = true;
        }
        finally
        {
            _writeGate.Release();
        }
        var outgoing = _owner.Outgoing.Reader;
        while (await outgoing.WaitToReadAsync(cancellationToken))
        {
            await _writeGate.WaitAsync(cancellationToken);
            try
            {
                _writer.Reset();
                while (_writer.Length < WriteBatchBytes && !cancellationToken.IsCancellationRequested && outgoing.TryRead(out var call))
                {
                    Append(_writer, call);
                }
                if (_writer.Length > 0)
                {
                    await SendAsync(_writer.Written, cancellationToken);
                }
            }
            finally
            {
                _writeGate.Release();
            }
        }
    }

    /// <summary>
    /// Writes a request on the caller's thread, saving the hop to the write loop, when that cannot reorder it and
    /// costs no batching: nothing is in flight or queued ahead of it and no batch is being written. Returns false to say "queue it instead".
    /// </summary>
    public bool TryWriteInline(Call call)
    {
        // Calls already in flight mean a pipelined burst: queue this one so the write loop sends many per syscall.
        // Inline writes are for the lone call, where the hop to the write loop would be pure latency.
        if (!_primed || _broken.Task.IsCompleted || _pending.Count > 0 || _owner.Outgoing.Reader.Count > 0 || !_writeGate.Wait(0))
        {
            return false;
        }
        try
        {
            if (_owner.Outgoing.Reader.Count > 0)
            {
                return false;
            }
            _writer.Reset();
            Append(_writer, call);
            var bytes = _writer.Written.Span;
            while (!bytes.IsEmpty)
            {
                bytes = bytes[_socket.Send(bytes, SocketFlags.None)..];
            }
            Volatile.Write(ref _lastSend, _owner.TimeProvider.GetTimestamp());
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Break(e); // the call is in the pending queue, so this fails it with ConnectionLoss
            return true;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private void Append(JuteWriter writer, Call call)
    {
        var start = writer.BeginFrame();
        try
        {
            if (call.Xid == 0)
            {
                call.Xid = _owner.NextXid();
            }
            new RequestHeader(call.Xid, call.OpCode).Write(writer);
            call.WriteBody(writer);
        }
#pragma warning disable CA1031 // a request that cannot be written fails alone; the connection is fine
        catch (Exception e)
#pragma warning restore CA1031
        {
            writer.Truncate(start);
            call.Fail(e);
            return;
        }
        writer.EndFrame(start);
        if (call.Xid != Xids.Ping && !_pending.Add(call))
        {
            writer.Truncate(start); // the connection broke meanwhile; the call has been failed
        }
    }
}

using System.Net;
using System.Net.Sockets;
using Gating.ZooKeeper.Protocol;

namespace Gating.ZooKeeper.Transport;

internal sealed partial class ZooKeeperConnection
{
    /// <summary>
    /// Opens a TCP connection and performs the handshake. Fails (and closes the socket) if the server does not
    /// answer within <paramref name="connectTimeout"/>.
    /// </summary>
    public static async Task<(ZooKeeperConnection Connection, ConnectResponse Response)> OpenAsync(
        DnsEndPoint endPoint, ConnectRequest request, TimeSpan connectTimeout, IConnectionOwner owner, int maxFrameLength,
        CancellationToken cancellationToken)
    {
        var endpoint = $"{endPoint.Host}:{endPoint.Port}";
        using var timeout = new CancellationTokenSource(connectTimeout, owner.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        ZooKeeperConnection? connection = null;
        try
        {
            await socket.ConnectAsync(endPoint, linked.Token);
            connection = new ZooKeeperConnection(socket, endpoint, owner, new FrameReader(maxFrameLength));
            var writer = new JuteWriter(128);
            var start = writer.BeginFrame();
            request.Write(writer);
            writer.EndFrame(start);
            await connection.SendAsync(writer.Written, linked.Token);
            var response = await connection.ReadHandshakeAsync(linked.Token);
            return (connection, response);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Dispose(socket, connection);
            throw new TimeoutException($"ZooKeeper server {endpoint} did not complete the handshake within {connectTimeout.TotalMilliseconds:0} ms");
        }
        catch
        {
            Dispose(socket, connection);
            throw;
        }
    }

    private static void Dispose(Socket socket, ZooKeeperConnection? connection)
    {
        socket.Dispose();
        connection?._stop.Dispose();
    }

    private async Task<ConnectResponse> ReadHandshakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_frames.TryRead(_readBuffer.AsSpan(_readStart, _readEnd - _readStart), out var frame, out var consumed, out var required))
            {
                var response = ConnectResponse.Read(frame);
                _readStart += consumed;
                return response;
            }
            await ReceiveAsync(required, cancellationToken);
        }
    }

    private async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
            bytes = bytes[sent..];
        }
        Volatile.Write(ref _lastSend, _owner.TimeProvider.GetTimestamp());
    }

    /// <summary>
    /// Receives more bytes, making room for a frame of <paramref name="required"/> bytes first. The frame reader has
    /// already checked that size against the limit, so the buffer never grows past one maximal frame.
    /// </summary>
    private async Task ReceiveAsync(int required, CancellationToken cancellationToken)
    {
        var buffered = _readEnd - _readStart;
        if (_readStart + required > _readBuffer.Length || _readEnd == _readBuffer.Length)
        {
            var target = required > _readBuffer.Length ? new byte[Math.Max(required, Math.Min(_readBuffer.Length * 2, _frames.MaxFrameLength + FrameReader.HeaderLength))] : _readBuffer;
            Buffer.BlockCopy(_readBuffer, _readStart, target, 0, buffered);
            _readBuffer = target;
            _readStart = 0;
            _readEnd = buffered;
        }
        var received = await _socket.ReceiveAsync(_readBuffer.AsMemory(_readEnd), SocketFlags.None, cancellationToken);
        if (received == 0)
        {
            throw new IOException($"ZooKeeper server {Endpoint} closed the connection ({_breadcrumb})");
        }
        _readEnd += received;
        Volatile.Write(ref _lastReceive, _owner.TimeProvider.GetTimestamp());
    }
}

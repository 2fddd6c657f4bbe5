using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Gating.ZooKeeper.Tests.TestServers;

/// <summary>
/// An in-process server that speaks ZooKeeper's framing byte for byte, scripted per test: each accepted connection
/// runs the handler. It is written from the protocol spec with its own encoding, independent of the client's.
/// </summary>
public sealed class FakeZooKeeperServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private readonly List<Task> _connections = [];
    private int _accepted;

    public FakeZooKeeperServer(Func<FakeConnection, int, Task> handler)
    {
        _listener = LoopbackPorts.ListenForFake();
        _accept = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                var index = Interlocked.Increment(ref _accepted) - 1;
                var connection = new FakeConnection(socket, _stop.Token);
                lock (_connections)
                {
                    _connections.Add(Task.Run(async () =>
                    {
                        try
                        {
                            await handler(connection, index);
                        }
                        catch (Exception) when (_stop.IsCancellationRequested)
                        {
                        }
                        catch (IOException)
                        {
                        }
                        catch (SocketException)
                        {
                        }
                        finally
                        {
                            connection.Dispose();
                        }
                    }));
                }
            }
        });
    }

    public string ConnectString => $"127.0.0.1:{((System.Net.IPEndPoint)_listener.LocalEndpoint).Port}";

    public int Accepted => Volatile.Read(ref _accepted);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }
        await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}

/// <summary>One client connection to the fake server.</summary>
public sealed class FakeConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationToken _ct;

    public FakeConnection(Socket socket, CancellationToken ct)
    {
        _socket = socket;
        _ct = ct;
    }

    /// <summary>The client's ConnectRequest, as read by <see cref="HandshakeAsync"/>.</summary>
    public (long LastZxid, int Timeout, long SessionId, byte[] Password) ConnectRequest { get; private set; }

    /// <summary>Reads the ConnectRequest and answers it.</summary>
    public async Task HandshakeAsync(long sessionId = 0x1234, int timeoutMs = 3000, byte[]? password = null)
    {
        var frame = await ReadFrameAsync();
        var span = frame.AsSpan();
        var passwordLength = BinaryPrimitives.ReadInt32BigEndian(span[24..]);
        ConnectRequest = (BinaryPrimitives.ReadInt64BigEndian(span[4..]), BinaryPrimitives.ReadInt32BigEndian(span[12..]),
            BinaryPrimitives.ReadInt64BigEndian(span[16..]), span.Slice(28, passwordLength).ToArray());
        password ??= Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var response = new byte[4 + 4 + 8 + 4 + password.Length + 1];
        BinaryPrimitives.WriteInt32BigEndian(response.AsSpan(4), timeoutMs);
        BinaryPrimitives.WriteInt64BigEndian(response.AsSpan(8), sessionId);
        BinaryPrimitives.WriteInt32BigEndian(response.AsSpan(16), password.Length);
        password.CopyTo(response, 20);
        await WriteFrameAsync(response);
    }

    /// <summary>Reads one request: its xid, opcode and body.</summary>
    public async Task<(int Xid, int OpCode, byte[] Body)> ReadRequestAsync()
    {
        var frame = await ReadFrameAsync();
        return (BinaryPrimitives.ReadInt32BigEndian(frame), BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(4)), frame[8..]);
    }

    /// <summary>Reads requests until one that is not a ping.</summary>
    public async Task<(int Xid, int OpCode, byte[] Body)> ReadNonPingRequestAsync()
    {
        while (true)
        {
            var request = await ReadRequestAsync();
            if (request.Xid != -2)
            {
                return request;
            }
        }
    }

    public Task ReplyAsync(int xid, long zxid, int err, byte[]? body = null)
    {
        var frame = new byte[16 + (body?.Length ?? 0)];
        BinaryPrimitives.WriteInt32BigEndian(frame, xid);
        BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(4), zxid);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(12), err);
        body?.CopyTo(frame, 16);
        return WriteFrameAsync(frame);
    }

    /// <summary>A stat-only body (as for setData or exists).</summary>
    public static byte[] StatBody(int version) => Stat(version);

    /// <summary>A WatcherEvent body.</summary>
    public static byte[] WatcherEvent(int type, string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        var body = new byte[12 + bytes.Length];
        BinaryPrimitives.WriteInt32BigEndian(body, type);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(4), 3);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(8), bytes.Length);
        bytes.CopyTo(body, 12);
        return body;
    }

    public async Task WriteFrameAsync(byte[] payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        await WriteRawAsync(frame);
    }

    public async Task WriteRawAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None, _ct);

    public async Task<byte[]> ReadFrameAsync()
    {
        var header = await ReadExactlyAsync(4);
        return await ReadExactlyAsync(BinaryPrimitives.ReadInt32BigEndian(header));
    }

    /// <summary>Waits until the client closes the connection (reads return 0), discarding what it sends.</summary>
    public async Task WaitForCloseAsync()
    {
        var buffer = new byte[4096];
        while (await _socket.ReceiveAsync(buffer, SocketFlags.None, _ct) > 0)
        {
        }
    }

    public void Dispose() => _socket.Dispose();

    private static byte[] Stat(int version)
    {
        var stat = new byte[68];
        BinaryPrimitives.WriteInt32BigEndian(stat.AsSpan(32), version);
        return stat;
    }

    private async Task<byte[]> ReadExactlyAsync(int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await _socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, _ct);
            if (n == 0)
            {
                throw new IOException("client closed the connection");
            }
            read += n;
        }
        return buffer;
    }
}

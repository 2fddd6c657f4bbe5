using System.Buffers.Binary;
using Gating.ZooKeeper.Protocol;
using Gating.ZooKeeper.Tests.TestServers;

namespace Gating.ZooKeeper.Tests.Protocol;

/// <summary>
/// The client against a fake server that sends real bytes, good and bad: every bad input breaks the connection
/// with a clear error, fails the request in flight as retryable, and never hangs or allocates what a bad length
/// asks for.
/// </summary>
public sealed class ZooKeeperClientProtocolTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static Task<ZooKeeperClient> ConnectAsync(FakeZooKeeperServer server, int maxFrame = 1024 * 1024) =>
        ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = server.ConnectString,
            SessionTimeout = TimeSpan.FromSeconds(3),
            MaxFrameLength = maxFrame,
        }, new CancellationTokenSource(Bound).Token);

    /// <summary>Handshakes, waits for one request, answers it with <paramref name="reply"/>, then idles.</summary>
    private static FakeZooKeeperServer ServerThatAnswersWith(Func<FakeConnection, int, Task> reply) =>
        new(async (connection, index) =>
        {
            await connection.HandshakeAsync();
            if (index == 0)
            {
                var request = await connection.ReadNonPingRequestAsync();
                await reply(connection, request.Xid);
            }
            await connection.WaitForCloseAsync();
        });

    private static async Task<ZooKeeperException> FirstRequestFailsAsync(FakeZooKeeperServer server, int maxFrame = 1024 * 1024)
    {
        await using var client = await ConnectAsync(server, maxFrame);
        var failure = await Assert.ThrowsAsync<ZooKeeperException>(
            () => client.GetDataAsync("/x", null, CancellationToken.None).WaitAsync(Bound));
        Assert.Equal(ErrorCode.ConnectionLoss, failure.Code);
        Assert.True(failure.IsRetryable);
        return failure;
    }

    [Fact]
    public async Task A_reply_is_matched_to_its_request()
    {
        await using var server = ServerThatAnswersWith((c, xid) => c.ReplyAsync(xid, 5, 0, FakeConnection.StatBody(version: 7)));
        await using var client = await ConnectAsync(server);
        Assert.Equal(0x1234, client.SessionId);
        Assert.Equal(TimeSpan.FromSeconds(3), client.NegotiatedSessionTimeout);
        var stat = await client.SetDataAsync("/x", new byte[] { 1 }, -1, CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(7, stat.Version);
    }

    [Fact]
    public async Task A_huge_length_breaks_without_allocating_it()
    {
        await using var server = ServerThatAnswersWith((c, _) => c.WriteRawAsync([0x7f, 0xff, 0xff, 0xf0]));
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var failure = await FirstRequestFailsAsync(server);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        var reason = Assert.IsType<ZooKeeperProtocolException>(failure.InnerException);
        Assert.Contains("frame length 2147483632 exceeds the limit of 1048576 bytes", reason.Message, StringComparison.Ordinal);
        Assert.True(allocated < 64 * 1024 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public async Task Garbage_breaks_the_connection()
    {
        await using var server = ServerThatAnswersWith((c, _) => c.WriteRawAsync([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8]));
        var failure = await FirstRequestFailsAsync(server);
        Assert.Contains("invalid frame length", failure.InnerException!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_frame_cut_short_by_the_server_closing_breaks()
    {
        await using var server = new FakeZooKeeperServer(async (c, index) =>
        {
            await c.HandshakeAsync();
            await c.ReadNonPingRequestAsync();
            var partial = new byte[14];
            BinaryPrimitives.WriteInt32BigEndian(partial, 100);
            await c.WriteRawAsync(partial); // a length of 100, then 10 bytes, then the connection closes
        });
        var failure = await FirstRequestFailsAsync(server);
        Assert.IsType<IOException>(failure.InnerException);
        Assert.Contains("closed the connection", failure.InnerException!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_record_inside_a_frame_breaks()
    {
        // The reply claims a data buffer of 1000 bytes in a 30-byte frame.
        await using var server = ServerThatAnswersWith((c, xid) =>
        {
            var body = new byte[14];
            BinaryPrimitives.WriteInt32BigEndian(body, 1000);
            return c.ReplyAsync(xid, 1, 0, body);
        });
        var failure = await FirstRequestFailsAsync(server);
        Assert.IsType<ZooKeeperProtocolException>(failure.InnerException);
        Assert.Contains("truncated buffer", failure.InnerException!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reply_with_the_wrong_xid_breaks()
    {
        await using var server = ServerThatAnswersWith((c, xid) => c.ReplyAsync(xid + 5, 1, 0, FakeConnection.StatBody(0)));
        var failure = await FirstRequestFailsAsync(server);
        Assert.IsType<ZooKeeperProtocolException>(failure.InnerException);
        Assert.Contains("reply for xid", failure.InnerException!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silent_server_times_out_with_a_breadcrumb()
    {
        await using var server = ServerThatAnswersWith((_, _) => Task.CompletedTask);
        var failure = await FirstRequestFailsAsync(server);
        var timeout = Assert.IsType<TimeoutException>(failure.InnerException);
        Assert.Contains("1 requests pending, oldest xid 1 (GetData /x)", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_huge_handshake_reply_fails_connect_with_the_reason()
    {
        await using var server = new FakeZooKeeperServer(async (c, _) =>
        {
            await c.ReadFrameAsync();
            await c.WriteRawAsync([0x40, 0, 0, 0]);
            await c.WaitForCloseAsync();
        });
        var failure = await Assert.ThrowsAsync<ZooKeeperException>(() => ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions { ConnectString = server.ConnectString, MaxFrameLength = 4096 },
            new CancellationTokenSource(TimeSpan.FromSeconds(1)).Token).WaitAsync(Bound));
        Assert.Equal(ErrorCode.ConnectionLoss, failure.Code);
        Assert.IsType<ZooKeeperProtocolException>(failure.InnerException);
        Assert.True(server.Accepted >= 1);
    }

    [Fact]
    public async Task Reconnect_re_attaches_the_session_and_re_registers_watches()
    {
        var secondConnect = new TaskCompletionSource<(FakeConnection, (int Xid, int OpCode, byte[] Body))>();
        await using var server = new FakeZooKeeperServer(async (c, index) =>
        {
            await c.HandshakeAsync();
            if (index == 0)
            {
                var watchRequest = await c.ReadNonPingRequestAsync();
                await c.ReplyAsync(watchRequest.Xid, 0x42, 0, new byte[4].Concat(FakeConnection.StatBody(0)).ToArray());
                var pending = await c.ReadNonPingRequestAsync();
                _ = pending;
                return; // drop the connection with a request in flight
            }
            var setWatches = await c.ReadNonPingRequestAsync();
            secondConnect.TrySetResult((c, setWatches));
            await c.ReplyAsync(-1, -1, 0, FakeConnection.WatcherEvent(3, "/watched"));
            await c.WaitForCloseAsync();
        });
        await using var client = await ConnectAsync(server);
        var states = new List<ConnectionState>();
        client.StateChanged += s => { lock (states) { states.Add(s); } };
        var events = new EventRecorder();
        await client.GetDataAsync("/watched", events.Watcher, CancellationToken.None).WaitAsync(Bound);
        var inFlight = await Assert.ThrowsAsync<ZooKeeperException>(() => client.ExistsAsync("/other", null, CancellationToken.None).WaitAsync(Bound));
        Assert.Equal(ErrorCode.ConnectionLoss, inFlight.Code);

        var (second, request) = await secondConnect.Task.WaitAsync(Bound);
        Assert.Equal(0x1234, second.ConnectRequest.SessionId);
        Assert.Equal(Enumerable.Range(1, 16).Select(i => (byte)i), second.ConnectRequest.Password);
        Assert.Equal(0x42, second.ConnectRequest.LastZxid);
        Assert.Equal((Xids.SetWatches, (int)OpCode.SetWatches2), (request.Xid, request.OpCode));
        Assert.Equal(0x42, BinaryPrimitives.ReadInt64BigEndian(request.Body));
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(request.Body.AsSpan(8))); // one data watch
        Assert.Equal("/watched", System.Text.Encoding.UTF8.GetString(request.Body.AsSpan(16, 8)));
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDataChanged, "/watched"), await events.NextAsync());
        await Eventually.TrueAsync(() => { lock (states) { return states.SequenceEqual([ConnectionState.Suspended, ConnectionState.Connected]); } },
            $"Suspended then Connected, saw {string.Join(",", states)}");
    }

    [Fact]
    public async Task A_session_the_server_expired_is_lost_and_fails_requests()
    {
        await using var server = new FakeZooKeeperServer(async (c, index) =>
        {
            if (index == 0)
            {
                await c.HandshakeAsync();
                await c.ReadNonPingRequestAsync();
                return;
            }
            await c.HandshakeAsync(sessionId: 0, timeoutMs: 0); // "your session has expired"
            await c.WaitForCloseAsync();
        });
        await using var client = await ConnectAsync(server);
        var lost = new TaskCompletionSource();
        client.StateChanged += s => { if (s == ConnectionState.Lost) { lost.TrySetResult(); } };
        var inFlight = await Assert.ThrowsAsync<ZooKeeperException>(() => client.SyncAsync("/", CancellationToken.None).WaitAsync(Bound));
        Assert.Equal(ErrorCode.ConnectionLoss, inFlight.Code);
        await lost.Task.WaitAsync(Bound);
        Assert.Equal(ConnectionState.Lost, client.State);
        var after = await Assert.ThrowsAsync<ZooKeeperException>(() => client.SyncAsync("/", CancellationToken.None).WaitAsync(Bound));
        Assert.Equal(ErrorCode.SessionExpired, after.Code);
        Assert.False(after.IsRetryable);
    }

    [Fact]
    public async Task Dispose_sends_close_session()
    {
        var closed = new TaskCompletionSource<int>();
        await using var server = new FakeZooKeeperServer(async (c, _) =>
        {
            await c.HandshakeAsync();
            var request = await c.ReadNonPingRequestAsync();
            closed.TrySetResult(request.OpCode);
            await c.ReplyAsync(request.Xid, 9, 0);
        });
        var client = await ConnectAsync(server);
        await client.DisposeAsync().AsTask().WaitAsync(Bound);
        Assert.Equal((int)OpCode.CloseSession, await closed.Task.WaitAsync(Bound));
        Assert.Equal(ConnectionState.Closed, client.State);
    }

    [Fact]
    public async Task Pings_follow_the_negotiated_timeout_not_the_requested_one()
    {
        var firstRequest = new TaskCompletionSource<(int Xid, int OpCode)>();
        await using var server = new FakeZooKeeperServer(async (c, _) =>
        {
            await c.HandshakeAsync(timeoutMs: 900); // the client asked for 30 s
            var request = await c.ReadRequestAsync();
            firstRequest.TrySetResult((request.Xid, request.OpCode));
            await c.ReplyAsync(-2, 0, 0);
            await c.WaitForCloseAsync();
        });
        await using var client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = server.ConnectString,
            SessionTimeout = TimeSpan.FromSeconds(30),
        }, new CancellationTokenSource(Bound).Token);
        Assert.Equal(TimeSpan.FromMilliseconds(900), client.NegotiatedSessionTimeout);
        Assert.Equal((Xids.Ping, (int)OpCode.Ping), await firstRequest.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Re_attach_replays_credentials_then_sends_the_calls_made_while_disconnected()
    {
        var letSecondIn = new TaskCompletionSource();
        var secondRequests = new TaskCompletionSource<List<(int Xid, int OpCode)>>();
        await using var server = new FakeZooKeeperServer(async (c, index) =>
        {
            if (index == 0)
            {
                await c.HandshakeAsync();
                var auth = await c.ReadNonPingRequestAsync();
                await c.ReplyAsync(auth.Xid, 0, 0);
                return; // drop the connection
            }
            await letSecondIn.Task;
            await c.HandshakeAsync();
            var requests = new List<(int, int)>();
            for (var i = 0; i < 2; i++)
            {
                var request = await c.ReadNonPingRequestAsync();
                requests.Add((request.Xid, request.OpCode));
                await c.ReplyAsync(request.Xid, 3, 0, request.OpCode == (int)OpCode.Exists ? FakeConnection.StatBody(4) : null);
            }
            secondRequests.TrySetResult(requests);
            await c.WaitForCloseAsync();
        });
        await using var client = await ConnectAsync(server);
        await client.AddAuthAsync("digest", DigestAuthentication.Credentials("u", "p"), CancellationToken.None).WaitAsync(Bound);
        await Eventually.TrueAsync(() => client.State == ConnectionState.Suspended, "the client to notice the dropped connection");
        var queued = client.ExistsAsync("/q", null, CancellationToken.None);
        Assert.False(queued.IsCompleted);
        letSecondIn.SetResult();
        Assert.Equal(4, (await queued.WaitAsync(Bound))!.Value.Version);
        var requests = await secondRequests.Task.WaitAsync(Bound);
        Assert.Equal((Xids.Auth, (int)OpCode.Auth), requests[0]);
        Assert.Equal((int)OpCode.Exists, requests[1].OpCode);
    }
}

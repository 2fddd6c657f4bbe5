using Gating.ZooKeeper.Protocol;
using Gating.ZooKeeper.Tests.TestServers;
using Microsoft.Extensions.Time.Testing;

namespace Gating.ZooKeeper.Tests.Protocol;

/// <summary>
/// The ends of a client's life against a fake server: a connect attempt bounded by the handshake timeout (a server
/// that accepts and never answers costs that much, not the session timeout), and closing, after which every call
/// in flight or made later fails with ClientClosed, never with a retryable ConnectionLoss.
/// </summary>
public sealed class ClientLifecycleProtocolTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>Keeps the hosts in the order of the connect string.</summary>
    private static int NoShuffle(int maxExclusive) => maxExclusive - 1;

    [Fact]
    public void The_handshake_timeout_defaults_to_five_seconds_bounded_by_the_session_timeout_per_host()
    {
        var options = new ZooKeeperClientOptions { ConnectString = "a:1,b:2", SessionTimeout = TimeSpan.FromSeconds(30) };
        Assert.Equal(TimeSpan.FromSeconds(5), ZooKeeperClientOptions.DefaultHandshakeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.HandshakeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.AttemptTimeout(hosts: 2));
        Assert.Equal(TimeSpan.FromSeconds(1), (options with { SessionTimeout = TimeSpan.FromSeconds(3) }).AttemptTimeout(hosts: 3));
        Assert.Equal(TimeSpan.FromSeconds(7), (options with { ConnectTimeout = TimeSpan.FromSeconds(7) }).AttemptTimeout(hosts: 2));
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_answers_costs_the_handshake_timeout_then_the_next_host_is_tried()
    {
        var time = new FakeTimeProvider();
        await using var silent = new FakeZooKeeperServer((c, _) => c.WaitForCloseAsync()); // a half-started JVM
        await using var live = new FakeZooKeeperServer(async (c, _) =>
        {
            await c.HandshakeAsync();
            var close = await c.ReadNonPingRequestAsync(); // the client's closeSession: answered, or its bound runs on the fake clock
            await c.ReplyAsync(close.Xid, 1, 0);
            await c.WaitForCloseAsync();
        });
        var options = new ZooKeeperClientOptions
        {
            ConnectString = $"{silent.ConnectString},{live.ConnectString}",
            SessionTimeout = TimeSpan.FromSeconds(30), // 15 s per host: the old bound of one attempt
            HandshakeTimeout = TimeSpan.FromMilliseconds(500),
            ReconnectDelay = TimeSpan.Zero,
            TimeProvider = time,
            RandomInt = NoShuffle,
        };
        var connecting = ZooKeeperClient.ConnectAsync(options, new CancellationTokenSource(Bound).Token);
        await Eventually.TrueAsync(() => silent.Accepted == 1, "the client to connect to the silent server");

        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(connecting.IsCompleted);
        Assert.Equal(0, live.Accepted);

        time.Advance(TimeSpan.FromMilliseconds(1)); // the handshake timeout, far short of 15 s
        await using var client = await connecting.WaitAsync(Bound);
        Assert.Equal(live.ConnectString, client.ConnectedServer);
        Assert.Equal(1, live.Accepted);
        Assert.Equal(1, silent.Accepted);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Dispose_fails_the_calls_in_flight_and_later_ones_as_closed(bool serverDropsOnCloseSession)
    {
        var requested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var closeSessionSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new FakeZooKeeperServer(async (c, _) =>
        {
            await c.HandshakeAsync(timeoutMs: 30_000);
            await c.ReadNonPingRequestAsync(); // never answered
            requested.TrySetResult();
            while ((await c.ReadNonPingRequestAsync()).OpCode != (int)OpCode.CloseSession)
            {
            }
            closeSessionSeen.TrySetResult();
            if (!serverDropsOnCloseSession)
            {
                await c.WaitForCloseAsync(); // silent: the client's close gives up after its bound
            }
        });
        var client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = server.ConnectString,
            SessionTimeout = TimeSpan.FromSeconds(30),
        }, new CancellationTokenSource(Bound).Token);
        var inFlight = client.GetDataAsync("/x", null, CancellationToken.None);
        await requested.Task.WaitAsync(Bound);

        var disposing = client.DisposeAsync().AsTask();
        await closeSessionSeen.Task.WaitAsync(Bound);
        var duringClose = await Assert.ThrowsAsync<ZooKeeperException>(() => client.ExistsAsync("/y", null, CancellationToken.None).WaitAsync(Bound));
        await disposing.WaitAsync(Bound);

        var failure = await Assert.ThrowsAsync<ZooKeeperException>(() => inFlight.WaitAsync(Bound));
        var after = await Assert.ThrowsAsync<ZooKeeperException>(() => client.SetDataAsync("/z", default, -1, CancellationToken.None).WaitAsync(Bound));
        foreach (var error in new[] { failure, duringClose, after })
        {
            Assert.Equal(ErrorCode.ClientClosed, error.Code);
            Assert.False(error.IsRetryable);
        }
        Assert.Equal(ConnectionState.Closed, client.State);
    }

    [Fact]
    public async Task Dispose_while_reconnecting_fails_the_queued_calls_as_closed()
    {
        await using var server = new FakeZooKeeperServer(async (c, index) =>
        {
            if (index == 0)
            {
                await c.HandshakeAsync(timeoutMs: 30_000);
                return; // drop the connection; later connections are never answered
            }
            await c.WaitForCloseAsync();
        });
        var client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = server.ConnectString,
            SessionTimeout = TimeSpan.FromSeconds(30),
        }, new CancellationTokenSource(Bound).Token);
        await Eventually.TrueAsync(() => client.State == ConnectionState.Suspended, "the client to notice the dropped connection");
        var queued = client.GetChildrenAsync("/q", null, CancellationToken.None);

        await client.DisposeAsync().AsTask().WaitAsync(Bound);

        var failure = await Assert.ThrowsAsync<ZooKeeperException>(() => queued.WaitAsync(Bound));
        Assert.Equal(ErrorCode.ClientClosed, failure.Code);
        Assert.Equal(ConnectionState.Closed, client.State);
    }
}

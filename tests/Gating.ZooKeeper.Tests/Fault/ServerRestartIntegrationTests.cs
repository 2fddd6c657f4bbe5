using System.Diagnostics;
using Gating.ZooKeeper.Tests.TestServers;

namespace Gating.ZooKeeper.Tests.Fault;

/// <summary>
/// A standalone server killed and restarted on the same data while a client holds a session: requests in flight
/// fail retryably, the session and its ephemerals survive, and every watch is re-registered and fires.
/// </summary>
public sealed class ServerRestartIntegrationTests : ClusterFaultTests
{
    protected override Task<ZooKeeperTestCluster> StartClusterAsync() => ZooKeeperTestCluster.StartStandaloneAsync();

    [Fact]
    public async Task Session_and_watches_survive_a_server_restart()
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token;
        var server = Cluster.Servers[0];
        await using var zk = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = Cluster.ConnectString,
            // Long enough that a JVM restart on a loaded machine fits in it: past it the client would report Lost.
            SessionTimeout = TimeSpan.FromSeconds(30),
            // A connect attempt made while the JVM is still starting can be accepted and never answered; by
            // default it would wait the whole session timeout (as the Java client does), longer than this test's
            // re-attach wait. A short attempt timeout makes the next attempt reach the restarted server.
            ConnectTimeout = TimeSpan.FromSeconds(3),
        }, ct);
        var sessionId = zk.SessionId;
        var states = new StateRecorder(zk);
        await zk.CreateAsync("/w", default, CreateOptions.Persistent, ct);
        await zk.CreateAsync("/tree", default, CreateOptions.Persistent, ct);
        await zk.CreateAsync("/eph", default, CreateOptions.Ephemeral, ct);
        var data = new EventRecorder();
        var exists = new EventRecorder();
        var children = new EventRecorder();
        var recursive = new EventRecorder();
        await zk.GetDataAsync("/w", data.Watcher, ct);
        Assert.Null(await zk.ExistsAsync("/later", exists.Watcher, ct));
        await zk.GetChildrenAsync("/w", children.Watcher, ct);
        await zk.AddWatchAsync("/tree", AddWatchMode.PersistentRecursive, recursive.Watcher, ct);

        // Many requests in flight when the server dies: each either completes or fails retryably; none hangs.
        var inFlight = Enumerable.Range(0, 3000).Select(i => zk.SetDataAsync("/tree", new byte[1024], -1, CancellationToken.None)).ToList();
        await server.KillAsync();
        var outcomes = await Task.WhenAll(inFlight.Select(async t =>
        {
            try
            {
                await t.WaitAsync(TimeSpan.FromSeconds(30));
                return "ok";
            }
            catch (ZooKeeperException e) when (e.Code == ErrorCode.ConnectionLoss && e.IsRetryable)
            {
                return "loss";
            }
        }));
        Assert.Contains("loss", outcomes);
        await Eventually.TrueAsync(() => states.Saw(ConnectionState.Suspended), "Suspended");

        var clock = Stopwatch.StartNew();
        server.Start();
        await server.WaitServingAsync();
        var restartedIn = clock.Elapsed;
        await Eventually.TrueAsync(() => zk.State == ConnectionState.Connected,
            $"the client to re-attach (state {zk.State}, server serving after {restartedIn.TotalSeconds:0.0}s)");
        Assert.Equal(sessionId, zk.SessionId);
        Assert.DoesNotContain(ConnectionState.Lost, states.All);

        await using var other = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = Cluster.ConnectString }, ct);
        Assert.Equal(sessionId, (await other.ExistsAsync("/eph", null, ct))!.Value.EphemeralOwner);
        await other.SetDataAsync("/w", new byte[] { 1 }, -1, ct);
        await other.CreateAsync("/later", default, CreateOptions.Persistent, ct);
        await other.CreateAsync("/w/c", default, CreateOptions.Persistent, ct);
        await other.CreateAsync("/tree/x", default, CreateOptions.Persistent, ct);
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDataChanged, "/w"), await data.NextAsync());
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeCreated, "/later"), await exists.NextAsync());
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeChildrenChanged, "/w"), await children.NextAsync());
        var next = await recursive.NextAsync();
        while (next.Type == WatchedEventType.NodeDataChanged) // the pipelined setData calls that got through
        {
            next = await recursive.NextAsync();
        }
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeCreated, "/tree/x"), next);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"recovery took {clock.Elapsed}");
    }
}

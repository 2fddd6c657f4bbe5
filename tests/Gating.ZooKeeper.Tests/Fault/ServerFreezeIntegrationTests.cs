using Gating.ZooKeeper.Tests.TestServers;

namespace Gating.ZooKeeper.Tests.Fault;

/// <summary>A server frozen with SIGSTOP for longer than the session timeout: the client reports Lost.</summary>
public sealed class ServerFreezeIntegrationTests : ClusterFaultTests
{
    protected override Task<ZooKeeperTestCluster> StartClusterAsync() => ZooKeeperTestCluster.StartStandaloneAsync();

    [Fact]
    public async Task A_frozen_server_makes_the_session_lost()
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token;
        var server = Cluster.Servers[0];
        await using var zk = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = Cluster.ConnectString,
            SessionTimeout = TimeSpan.FromSeconds(2),
        }, ct);
        var states = new StateRecorder(zk);
        var lost = new TaskCompletionSource();
        zk.StateChanged += s => { if (s == ConnectionState.Lost) { lost.TrySetResult(); } };
        await zk.CreateAsync("/eph", default, CreateOptions.Ephemeral, ct);
        var sessionId = zk.SessionId;

        server.Pause();
        try
        {
            var pending = zk.GetDataAsync("/eph", null, CancellationToken.None);
            var failure = await Assert.ThrowsAsync<ZooKeeperException>(() => pending.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(ErrorCode.ConnectionLoss, failure.Code);
            await lost.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            server.Resume();
        }
        Assert.Equal([ConnectionState.Suspended, ConnectionState.Lost], states.All);
        Assert.Equal(ConnectionState.Lost, zk.State);
        var after = await Assert.ThrowsAsync<ZooKeeperException>(() => zk.ExistsAsync("/eph", null, ct));
        Assert.Equal(ErrorCode.SessionExpired, after.Code);

        // Once the server runs again it expires the session too, and its ephemeral goes.
        await using var other = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = Cluster.ConnectString }, ct);
        var gone = new TaskCompletionSource();
        if (await other.ExistsAsync("/eph", e => gone.TrySetResult(), ct) is { } stat)
        {
            Assert.Equal(sessionId, stat.EphemeralOwner);
            await gone.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        Assert.Null(await other.ExistsAsync("/eph", null, ct));
    }
}

using Gating.ZooKeeper.Tests.TestServers;

namespace Gating.ZooKeeper.Tests.Fault;

/// <summary>The leader of a 3-node ensemble is killed: the client carries on with the same session on another member.</summary>
public sealed class EnsembleLeaderLossIntegrationTests : ClusterFaultTests
{
    protected override Task<ZooKeeperTestCluster> StartClusterAsync() => ZooKeeperTestCluster.StartEnsembleAsync();

    [Fact]
    public async Task The_client_continues_after_the_leader_dies()
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(180)).Token;
        await using var zk = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = Cluster.ConnectString,
            SessionTimeout = TimeSpan.FromSeconds(20), // an election on a loaded machine must fit in it
        }, ct);
        var sessionId = zk.SessionId;
        await zk.CreateAsync("/eph", default, CreateOptions.Ephemeral, ct);
        await zk.CreateAsync("/data", new byte[] { 1 }, CreateOptions.Persistent, ct);
        var watch = new EventRecorder();
        await zk.GetDataAsync("/data", watch.Watcher, ct);

        var leader = await Cluster.LeaderAsync();
        await leader.KillAsync();

        // Whether it was on the leader or on a follower that lost its leader, the client re-attaches elsewhere.
        await Retrying.CallAsync(() => zk.SetDataAsync("/data", new byte[] { 2 }, -1, ct));
        Assert.Equal(sessionId, zk.SessionId);
        Assert.NotEqual(leader.Endpoint, zk.ConnectedServer);
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDataChanged, "/data"), await watch.NextAsync());
        Assert.Equal(sessionId, (await Retrying.CallAsync(() => zk.ExistsAsync("/eph", null, ct)))!.Value.EphemeralOwner);
        var created = await Retrying.CallAsync(() => zk.CreateAsync("/after-", default, CreateOptions.PersistentSequential, ct));
        Assert.StartsWith("/after-", created.Path, StringComparison.Ordinal);
        Assert.Equal(ConnectionState.Connected, zk.State);
    }
}

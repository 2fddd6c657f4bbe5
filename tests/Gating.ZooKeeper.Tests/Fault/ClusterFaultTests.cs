using Gating.ZooKeeper.Tests.TestServers;

namespace Gating.ZooKeeper.Tests.Fault;

/// <summary>A fault test that owns real servers for its lifetime: started before each test, stopped after.</summary>
public abstract class ClusterFaultTests : IAsyncLifetime
{
    private ZooKeeperTestCluster? _cluster;

    /// <summary>The servers of the running test.</summary>
    protected ZooKeeperTestCluster Cluster => _cluster ?? throw new InvalidOperationException("cluster not started");

    /// <summary>Starts the servers this test needs (standalone or an ensemble).</summary>
    protected abstract Task<ZooKeeperTestCluster> StartClusterAsync();

    public async Task InitializeAsync() => _cluster = await StartClusterAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

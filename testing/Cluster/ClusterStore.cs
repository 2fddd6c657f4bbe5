using Gating.Coordination;
using Gating.ZooKeeper;
using Gating.ZooKeeper.Embedded;
using Microsoft.Extensions.Time.Testing;

namespace Gating.Testing.Cluster;

/// <summary>
/// The ZooKeeper a <see cref="TestCluster"/> runs on: an in-memory <see cref="EmbeddedZooKeeper"/> on the
/// cluster's fake clock, or a real server (GATING_TEST_ZOOKEEPER) under a chroot of its own. Every component of
/// the cluster gets its own session, so a test can kill one (its session closed without cleanup).
/// </summary>
public abstract class ClusterStore : IAsyncDisposable
{
    /// <summary>The environment variable naming a real server ("host:port").</summary>
    public const string RealServerVariable = "GATING_TEST_ZOOKEEPER";

    /// <summary>Opens a new session in the store's root.</summary>
    public abstract Task<IZooKeeper> ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Ends a session the way a crash does: the server drops it and its ephemeral nodes.</summary>
    public abstract Task KillAsync(IZooKeeper session, CancellationToken cancellationToken);

    /// <summary>An in-memory store.</summary>
    public static ClusterStore Embedded(FakeTimeProvider time) => new EmbeddedStore(time);

    /// <summary>The real server named by <see cref="RealServerVariable"/>; throws with a clear message when it is not set.</summary>
    public static ClusterStore Real()
    {
        var server = Environment.GetEnvironmentVariable(RealServerVariable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException($"{RealServerVariable} is not set: start the test servers with `bash .ci/services start` and export what it prints");
        }
        return new RealStore(server);
    }

    /// <inheritdoc/>
    public abstract ValueTask DisposeAsync();

    private sealed class EmbeddedStore(FakeTimeProvider time) : ClusterStore
    {
        private readonly EmbeddedZooKeeper _store = EmbeddedZooKeeper.OpenInMemory(new EmbeddedZooKeeperOptions { TimeProvider = time });

        public override async Task<IZooKeeper> ConnectAsync(CancellationToken cancellationToken) =>
            await _store.ConnectAsync(TimeSpan.FromSeconds(30), cancellationToken);

        public override Task KillAsync(IZooKeeper session, CancellationToken cancellationToken) =>
            _store.ExpireSessionAsync(session.SessionId, cancellationToken);

        public override ValueTask DisposeAsync() => _store.DisposeAsync();
    }

    private sealed class RealStore(string server) : ClusterStore
    {
        private readonly string _chroot = "/gating-cluster-" + Guid.NewGuid().ToString("N");
        private readonly SemaphoreSlim _rooted = new(1, 1);
        private bool _made;

        public override async Task<IZooKeeper> ConnectAsync(CancellationToken cancellationToken)
        {
            await _rooted.WaitAsync(cancellationToken);
            try
            {
                if (!_made)
                {
                    await using var root = await Open(server, cancellationToken);
                    await root.CreateWithParentsAsync(_chroot, default, CreateOptions.Persistent, cancellationToken);
                    _made = true;
                }
            }
            finally
            {
                _rooted.Release();
            }
            return await Open(server + _chroot, cancellationToken);
        }

        public override async Task KillAsync(IZooKeeper session, CancellationToken cancellationToken) => await session.DisposeAsync();

        public override async ValueTask DisposeAsync()
        {
            if (_made)
            {
                await using var root = await Open(server, CancellationToken.None);
                await root.DeleteTreeAsync(_chroot, CancellationToken.None);
            }
            _rooted.Dispose();
        }

        private static async Task<ZooKeeperClient> Open(string connect, CancellationToken cancellationToken) =>
            await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = connect, SessionTimeout = TimeSpan.FromSeconds(10) }, cancellationToken);
    }
}

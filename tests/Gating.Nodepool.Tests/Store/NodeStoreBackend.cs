using Gating.Coordination;
using Gating.ZooKeeper;
using Gating.ZooKeeper.Embedded;

namespace Gating.Nodepool.Tests.Store;

/// <summary>
/// Where a store test runs: the real ZooKeeper (GATING_TEST_ZOOKEEPER) or the embedded one; every session a test
/// opens is chrooted in a fresh node of its own, so tests in parallel never see each other's znodes.
/// </summary>
public abstract class NodeStoreBackend : IAsyncDisposable
{
    /// <summary>Opens a session in this backend's chroot.</summary>
    public abstract Task<IZooKeeper> ConnectAsync();

    /// <summary>Ends a session the way a crash does (its ephemerals go): expiry on the embedded server, close on the real one.</summary>
    public abstract Task EndSessionAsync(IZooKeeper session);

    /// <inheritdoc/>
    public abstract ValueTask DisposeAsync();
}

/// <summary>The in-process <see cref="EmbeddedZooKeeper"/>.</summary>
public sealed class EmbeddedNodeStoreBackend : NodeStoreBackend
{
    private readonly EmbeddedZooKeeper _server = EmbeddedZooKeeper.OpenInMemory(new EmbeddedZooKeeperOptions());

    /// <inheritdoc/>
    public override async Task<IZooKeeper> ConnectAsync() => await _server.ConnectAsync(TimeSpan.FromSeconds(30), default);

    /// <inheritdoc/>
    public override Task EndSessionAsync(IZooKeeper session) => _server.ExpireSessionAsync(session.SessionId, default);

    /// <inheritdoc/>
    public override ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>The real server through <see cref="ZooKeeperClient"/>, in a chroot of its own.</summary>
public sealed class RealNodeStoreBackend : NodeStoreBackend
{
    private readonly string _chroot = "/gating-np-test-" + Guid.NewGuid().ToString("N");
    private bool _rooted;

    /// <summary>"host:port" of the test server; fails with what to run when it is not set.</summary>
    public static string Server =>
        Environment.GetEnvironmentVariable("GATING_TEST_ZOOKEEPER") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("GATING_TEST_ZOOKEEPER is not set: run `bash .ci/services start` and export what it prints");

    /// <summary>The connect string of this backend's chroot (for child processes).</summary>
    public string ConnectString => Server + _chroot;

    /// <inheritdoc/>
    public override async Task<IZooKeeper> ConnectAsync()
    {
        if (!_rooted)
        {
            await using var root = await ConnectAsync(Server);
            await root.EnsurePathAsync(_chroot, default);
            _rooted = true;
        }

        return await ConnectAsync(ConnectString);
    }

    /// <inheritdoc/>
    public override async Task EndSessionAsync(IZooKeeper session) => await session.DisposeAsync();

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        if (_rooted)
        {
            await using var root = await ConnectAsync(Server);
            await root.DeleteTreeAsync(_chroot, default);
        }
    }

    private static async Task<IZooKeeper> ConnectAsync(string connectString) =>
        await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = connectString, SessionTimeout = TimeSpan.FromSeconds(10) }, default);
}

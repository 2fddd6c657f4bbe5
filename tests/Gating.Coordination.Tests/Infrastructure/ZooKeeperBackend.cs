using Gating.ZooKeeper;
using Gating.ZooKeeper.Embedded;
using Microsoft.Extensions.Time.Testing;

namespace Gating.Coordination.Tests.Infrastructure;

/// <summary>
/// Where a recipe test runs: every session it opens is chrooted in a fresh node of its own, so tests running in
/// parallel never see each other's znodes.
/// </summary>
public abstract class ZooKeeperBackend : IAsyncDisposable
{
    /// <summary>The clock the recipes get (fake on the embedded store, the system clock against a real server).</summary>
    public abstract TimeProvider Time { get; }

    /// <summary>Opens a session rooted in this backend's chroot.</summary>
    public abstract Task<IZooKeeper> ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Ends the session the way its holder cannot prevent: expiry on the embedded store, close on a real
    /// server (the client cannot re-attach its session elsewhere to force an expiry).</summary>
    public abstract Task EndSessionAsync(IZooKeeper session, CancellationToken cancellationToken);

    /// <summary>The state a session is left in by <see cref="EndSessionAsync"/>.</summary>
    public abstract ConnectionState EndedState { get; }

    public abstract ValueTask DisposeAsync();
}

/// <summary>An in-memory <see cref="EmbeddedZooKeeper"/> on a <see cref="FakeTimeProvider"/>.</summary>
public sealed class EmbeddedBackend : ZooKeeperBackend
{
    private readonly string _chroot = "/coord-" + Guid.NewGuid().ToString("N");
    private readonly SemaphoreSlim _rootMade = new(1, 1);
    private bool _rooted;

    public EmbeddedBackend()
    {
        FakeTime = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        Store = EmbeddedZooKeeper.OpenInMemory(new EmbeddedZooKeeperOptions { TimeProvider = FakeTime });
    }

    public FakeTimeProvider FakeTime { get; }

    public EmbeddedZooKeeper Store { get; }

    public override TimeProvider Time => FakeTime;

    public override ConnectionState EndedState => ConnectionState.Lost;

    public override async Task<IZooKeeper> ConnectAsync(CancellationToken cancellationToken)
    {
        await _rootMade.WaitAsync(cancellationToken);
        try
        {
            if (!_rooted)
            {
                await using var root = await Store.ConnectAsync(TimeSpan.FromSeconds(10), cancellationToken);
                await root.CreateAsync(_chroot, default, CreateOptions.Persistent, cancellationToken);
                _rooted = true;
            }
        }
        finally
        {
            _rootMade.Release();
        }
        return await Store.ConnectAsync(new EmbeddedConnectOptions(TimeSpan.FromSeconds(10), _chroot), cancellationToken);
    }

    public override Task EndSessionAsync(IZooKeeper session, CancellationToken cancellationToken) =>
        Store.ExpireSessionAsync(session.SessionId, cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _rootMade.Dispose();
    }
}

/// <summary>The real ZooKeeper at GATING_TEST_ZOOKEEPER through <see cref="ZooKeeperClient"/>.</summary>
public sealed class RealBackend : ZooKeeperBackend
{
    private readonly string _chroot = "/gating-coord-test-" + Guid.NewGuid().ToString("N");
    private readonly SemaphoreSlim _rootMade = new(1, 1);
    private bool _rooted;

    public override TimeProvider Time => TimeProvider.System;

    public override ConnectionState EndedState => ConnectionState.Closed;

    /// <summary>"host:port" of the server; fails the test with a clear message when the variable is missing.</summary>
    public static string Server
    {
        get
        {
            var value = Environment.GetEnvironmentVariable("GATING_TEST_ZOOKEEPER");
            Assert.False(string.IsNullOrWhiteSpace(value),
                "GATING_TEST_ZOOKEEPER is not set: start the test servers with `bash .ci/services start` and export what it prints");
            return value!;
        }
    }

    public override async Task<IZooKeeper> ConnectAsync(CancellationToken cancellationToken)
    {
        await _rootMade.WaitAsync(cancellationToken);
        try
        {
            if (!_rooted)
            {
                await using var root = await ConnectAsync(Server, cancellationToken);
                await root.CreateAsync(_chroot, default, CreateOptions.Persistent, cancellationToken);
                _rooted = true;
            }
        }
        finally
        {
            _rootMade.Release();
        }
        return await ConnectAsync(Server + _chroot, cancellationToken);
    }

    private static async Task<ZooKeeperClient> ConnectAsync(string connectString, CancellationToken cancellationToken) =>
        await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = connectString, SessionTimeout = TimeSpan.FromSeconds(10) }, cancellationToken);

    public override async Task EndSessionAsync(IZooKeeper session, CancellationToken cancellationToken) => await session.DisposeAsync();

    public override async ValueTask DisposeAsync()
    {
        if (_rooted)
        {
            // Leave the server as we found it.
            await using var root = await ConnectAsync(Server, CancellationToken.None);
            await root.DeleteTreeAsync(_chroot, CancellationToken.None);
        }
        _rootMade.Dispose();
    }
}

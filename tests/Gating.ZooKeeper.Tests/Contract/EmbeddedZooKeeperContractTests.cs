using Gating.ZooKeeper.Embedded;
using Gating.ZooKeeper.Tests.Embedded;

namespace Gating.ZooKeeper.Tests.Contract;

/// <summary>The contract suite against an in-memory <see cref="EmbeddedZooKeeper"/>, each test in its own chroot.</summary>
public sealed class EmbeddedZooKeeperContractTests : ZooKeeperContractTests
{
    private readonly EmbeddedZooKeeper _server = EmbeddedZooKeeper.OpenInMemory(new EmbeddedZooKeeperOptions());
    private readonly string _chroot = "/contract-" + Guid.NewGuid().ToString("N");

    public override async Task InitializeAsync()
    {
        await using var root = await _server.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
        await root.CreateAsync(_chroot, default, CreateOptions.Persistent, Ct);
    }

    protected override async Task<IZooKeeper> ConnectAsync(CancellationToken cancellationToken) =>
        await _server.ConnectAsync(new EmbeddedConnectOptions(TimeSpan.FromSeconds(10), _chroot), cancellationToken);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _server.DisposeAsync();
    }
}

/// <summary>
/// The contract suite against a durable <see cref="EmbeddedZooKeeper"/>; after each test the store is reopened
/// from its directory and must hold exactly the tree the test left (the journal replays every operation kind).
/// </summary>
public sealed class DurableEmbeddedZooKeeperContractTests : ZooKeeperContractTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gating-zk-contract-" + Guid.NewGuid().ToString("N"));
    private readonly string _chroot = "/contract";
    private EmbeddedZooKeeper? _server;

    public override async Task InitializeAsync()
    {
        _server = await EmbeddedZooKeeper.OpenAsync(_directory, new EmbeddedZooKeeperOptions { SnapshotEveryTransactions = 7 }, Ct);
        await using var root = await _server.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
        await root.CreateAsync(_chroot, default, CreateOptions.Persistent, Ct);
    }

    protected override async Task<IZooKeeper> ConnectAsync(CancellationToken cancellationToken) =>
        await _server!.ConnectAsync(new EmbeddedConnectOptions(TimeSpan.FromSeconds(10), _chroot), cancellationToken);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        var before = _server!.State;
        await _server.DisposeAsync();
        await using (var reopened = await EmbeddedZooKeeper.OpenAsync(_directory, new EmbeddedZooKeeperOptions(), CancellationToken.None))
        {
            StoreComparison.AssertSameTree(before, reopened.State);
            Assert.Equal(before.LastZxid, reopened.LastZxid);
        }
        Directory.Delete(_directory, recursive: true);
    }
}

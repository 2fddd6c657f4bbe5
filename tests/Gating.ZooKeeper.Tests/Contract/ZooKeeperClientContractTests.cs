namespace Gating.ZooKeeper.Tests.Contract;

/// <summary>
/// The contract suite against <see cref="ZooKeeperClient"/> and the real server (GATING_TEST_ZOOKEEPER), each test
/// instance in its own fresh chroot.
/// </summary>
public sealed class ZooKeeperClientContractTests : ZooKeeperContractTests
{
    private readonly string _chroot = "/gating-contract-" + Guid.NewGuid().ToString("N");

    public override async Task InitializeAsync()
    {
        await using var root = await TestServers.RealZooKeeper.ConnectAsync();
        await root.CreateAsync(_chroot, default, CreateOptions.Persistent, Ct);
    }

    protected override async Task<IZooKeeper> ConnectAsync(CancellationToken cancellationToken) =>
        await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = TestServers.RealZooKeeper.ConnectString + _chroot,
            SessionTimeout = TimeSpan.FromSeconds(10),
        }, cancellationToken);
}

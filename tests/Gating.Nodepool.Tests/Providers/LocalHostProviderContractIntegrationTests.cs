using Gating.Nodepool.Config;
using Gating.Nodepool.Providers;
using Gating.Nodepool.Providers.Local;

namespace Gating.Nodepool.Tests.Providers;

/// <summary>The provider contract against real local isolated hosts (root, bwrap, the .ci/rootfs rootfs).</summary>
public sealed class LocalHostProviderContractIntegrationTests : NodeProviderContract
{
    private int _providers;

    protected override INodeProvider Create(int capacity)
    {
        // Each provider of this class gets its own name prefix and its own ports (23500-23509 belong to this class).
        var first = 23500 + (_providers * capacity);
        var config = LocalHosts.Config($"c{Guid.NewGuid():N}"[..6], Path.Combine(TempDir, $"nodes{_providers++}"), first, first + capacity - 1);
        return new LocalHostProvider(config, TestHosts.SshPublicKey, TimeProvider.System);
    }
}

/// <summary>Local-driver configs for tests.</summary>
internal static class LocalHosts
{
    public static ProviderConfig Config(string prefix, string workDir, int firstPort, int lastPort, params string[] labels) => new("local", "local")
    {
        BootTimeout = TimeSpan.FromSeconds(30),
        Local = new LocalDriverConfig { Rootfs = TestHosts.Rootfs, WorkDir = workDir, PortFirst = firstPort, PortLast = lastPort, NamePrefix = prefix },
        Pools = [new PoolConfig("main") { Labels = [.. (labels.Length == 0 ? ["debian"] : labels).Select(l => new PoolLabelConfig(l))] }],
    };
}

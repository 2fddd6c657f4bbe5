using Gating.Nodepool.Config;
using Gating.Nodepool.Providers;
using Gating.Nodepool.Providers.Static;

namespace Gating.Nodepool.Tests.Providers;

/// <summary>The provider contract against the real sshd test node (GATING_TEST_SSH).</summary>
public sealed class StaticNodeProviderContractIntegrationTests : NodeProviderContract
{
    protected override INodeProvider Create(int capacity)
    {
        var (host, port) = TestHosts.Ssh;
        var node = new StaticNodeConfig(host, [Label]) { Username = "root", ConnectionPort = port, MaxParallelJobs = capacity, PythonPath = "/usr/bin/python3" };
        return new StaticNodeProvider(new ProviderConfig("static", "static") { Pools = [new PoolConfig(Pool) { Nodes = [node] }] });
    }
}

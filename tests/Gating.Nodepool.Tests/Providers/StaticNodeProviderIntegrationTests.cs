using System.Net;
using System.Net.Sockets;
using Gating.Nodepool.Config;
using Gating.Nodepool.Providers;
using Gating.Nodepool.Providers.Static;

namespace Gating.Nodepool.Tests.Providers;

/// <summary>The static driver against the real sshd test node and a port where nothing answers.</summary>
public sealed class StaticNodeProviderIntegrationTests
{
    private static StaticNodeProvider Provider(params StaticNodeConfig[] hosts) =>
        new(new ProviderConfig("static", "static") { Pools = [new PoolConfig("main") { Nodes = [.. hosts] }] });

    private static StaticNodeConfig Live(int slots = 1) =>
        new(TestHosts.Ssh.Host, ["debian"]) { Username = "root", ConnectionPort = TestHosts.Ssh.Port, MaxParallelJobs = slots, ShellType = "sh", PythonPath = "/usr/bin/python3" };

    [Fact]
    public async Task Liveness_check_scans_the_host_keys_and_hands_out_connection_details()
    {
        var provider = Provider(Live());
        var node = await provider.WaitReadyAsync(await provider.CreateAsync(new("1", "debian", "main"), default), default);
        Assert.Contains(node.HostKeys, k => k.StartsWith("ssh-ed25519 ", StringComparison.Ordinal));
        Assert.Equal((TestHosts.Ssh.Host, TestHosts.Ssh.Port, "root", "sh", "/usr/bin/python3", 0),
            (node.InterfaceIp, node.ConnectionPort, node.Username, node.ShellType!, node.PythonPath!, node.Slot!.Value));
    }

    [Fact]
    public async Task A_dead_host_fails_the_liveness_check()
    {
        // A port on loopback that was free a moment ago: nothing answers there.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var deadPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var provider = Provider(new StaticNodeConfig("127.0.0.1", ["debian"]) { ConnectionPort = deadPort, Timeout = TimeSpan.FromSeconds(1) });
        var node = await provider.CreateAsync(new("1", "debian", "main"), default);
        var error = await Assert.ThrowsAsync<NodeLaunchException>(() => provider.WaitReadyAsync(node, default));
        Assert.Contains("did not answer a key scan", error.Message);
        Assert.Equal(node.ExternalId, error.ExternalId);
        await provider.DeleteAsync(node.ExternalId, default);
        Assert.Empty(await provider.ListAsync(default));
    }

    [Fact]
    public async Task Configured_host_keys_must_match_the_scan()
    {
        var wrong = Live() with { HostKeys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHVlcnkgbm90IGEgcmVhbCBrZXkgYXQgYWxsIQ== someone"] };
        var provider = Provider(wrong);
        var error = await Assert.ThrowsAsync<NodeLaunchException>(async () =>
            await provider.WaitReadyAsync(await provider.CreateAsync(new("1", "debian", "main"), default), default));
        Assert.Contains("match none", error.Message);

        var right = await Provider(Live()).WaitReadyAsync(await Provider(Live()).CreateAsync(new("1", "debian", "main"), default), default);
        var pinned = Provider(Live() with { HostKeys = [.. right.HostKeys.Select(k => k + " comment")] });
        var node = await pinned.WaitReadyAsync(await pinned.CreateAsync(new("2", "debian", "main"), default), default);
        Assert.Equal(right.HostKeys.ToArray(), node.HostKeys.ToArray());
    }

    [Fact]
    public async Task Max_parallel_jobs_gives_slots_that_are_reregistered_after_use()
    {
        var provider = Provider(Live(slots: 2));
        Assert.Equal(2, provider.Quota.MaxServers);
        var a = await provider.CreateAsync(new("1", "debian", "main"), default);
        var b = await provider.CreateAsync(new("2", "debian", "main"), default);
        Assert.Equal([0, 1], new[] { a.Slot!.Value, b.Slot!.Value }.Order());
        await Assert.ThrowsAsync<ProviderQuotaException>(() => provider.CreateAsync(new("3", "debian", "main"), default));
        await provider.DeleteAsync(a.ExternalId, default);
        var again = await provider.CreateAsync(new("4", "debian", "main"), default);
        Assert.Equal(a.ExternalId, again.ExternalId);
    }

    [Fact]
    public async Task Hosts_are_used_in_turn_so_a_retry_goes_to_another_host()
    {
        var second = new StaticNodeConfig("localhost", ["debian"]) { Username = "root", ConnectionPort = TestHosts.Ssh.Port };
        var provider = Provider(Live(), second);
        var first = await provider.CreateAsync(new("1", "debian", "main"), default);
        await provider.DeleteAsync(first.ExternalId, default);
        var next = await provider.CreateAsync(new("2", "debian", "main"), default);
        Assert.NotEqual(first.Hostname, next.Hostname);
    }
}

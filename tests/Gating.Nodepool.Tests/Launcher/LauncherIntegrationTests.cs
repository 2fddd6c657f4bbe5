using System.Collections.Immutable;
using Gating.Model;
using Gating.Nodepool.Config;
using Gating.Nodepool.Decisions;
using Gating.Nodepool.Launcher;
using Gating.Nodepool.Providers;
using Gating.Nodepool.Providers.Local;
using Gating.Nodepool.Providers.Static;
using Gating.Nodepool.Store;
using Gating.Nodepool.Tests.Providers;
using Gating.Nodepool.Tests.Store;

namespace Gating.Nodepool.Tests.Launcher;

/// <summary>
/// Issue 6's "done means", in process: a running launcher (<see cref="NodepoolLauncher"/>, watch-driven) on the
/// real ZooKeeper, real hosts (the sshd test node, local isolated hosts), and Zuul's side as a separate session.
/// Local hosts use ports 23530-23549.
/// </summary>
public sealed class LauncherIntegrationTests : IAsyncLifetime
{
    private static readonly PoolWorkerTimings Timings = new() { Cleanup = TimeSpan.FromMilliseconds(300) };
    private readonly RealNodeStoreBackend _zk = new();
    private readonly string _dir = TestHosts.TempDir("launcher");
    private readonly string _prefix = $"w{Guid.NewGuid():N}"[..6];
    private readonly List<IAsyncDisposable> _cleanup = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];

    private ProviderConfig LocalConfig(int? maxServers) => LocalHosts.Config(_prefix, Path.Combine(_dir, "nodes"), 23530, 23547) with
    {
        Pools = [new PoolConfig("main") { MaxServers = maxServers, Labels = [new PoolLabelConfig("debian")] }],
    };

    private async Task<ZooKeeperNodeStore> StoreAsync(string name)
    {
        var zk = await _zk.ConnectAsync();
        _cleanup.Add(zk);
        return await ZooKeeperNodeStore.OpenAsync(zk, "/nodepool", name, TimeProvider.System, default);
    }

    private async Task<Requestor> ZuulAsync()
    {
        var zuul = new Requestor(await StoreAsync("zuul"));
        _cleanup.Insert(0, zuul);
        return zuul;
    }

    // A launcher on its own session, running until the test ends.
    private async Task<NodepoolLauncher> StartAsync(ProvidersConfig config, Func<ProviderConfig, INodeProvider>? providers = null)
    {
        var launcher = NodepoolLauncher.Create(config, await StoreAsync("launcher"), "launcher",
            providers ?? (p => p.Driver == "local" ? new LocalHostProvider(p, TestHosts.SshPublicKey, TimeProvider.System) : new StaticNodeProvider(p)),
            TimeProvider.System);
        _cleanup.Insert(0, launcher);
        _running.Add(launcher.RunAsync(Timings, _stop.Token));
        return launcher;
    }

    private async Task<ImmutableArray<ProviderInstance>> LocalInstancesAsync()
    {
        await using var lister = new LocalHostProvider(LocalConfig(1), TestHosts.SshPublicKey, TimeProvider.System);
        return await lister.ListAsync(default);
    }

    [Fact]
    public async Task Ansible_reaches_every_node_of_a_three_node_nodeset_each_a_separate_local_host_and_nothing_is_left_after_use()
    {
        var zuul = await ZuulAsync();
        await StartAsync(new ProvidersConfig([new LabelConfig("debian")], [LocalConfig(maxServers: 3)], []));
        var set = new NodeSet("three", [new("controller", "debian"), new("compute1", "debian"), new("compute2", "debian")]);
        var request = await zuul.Store.SubmitRequestAsync(NodeSetRequests.RequestFor(set, 0, new NodeRequestTemplate("zuul", DateTimeOffset.UnixEpoch))!, default);

        var done = await zuul.WaitAsync(request.Id);
        var provisioned = Assert.IsType<NodeSetOutcome.Provisioned>(NodeSetRequests.Completed(set, 0, done));
        Assert.Equal(3, provisioned.NodeIds.Count);
        var nodes = await zuul.AcceptAsync(done);
        var reports = await AnsibleRun.EachNodeReportsAsync(nodes, _dir);
        Assert.Equal(nodes.Select(n => n.Hostname), reports.Select(r => r[0])); // facts: each node its own host name
        Assert.Equal(3, reports.Select(r => r[0]).Distinct().Count());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal([nodes[i].Hostname!, $"mark-node{i + 1}"], reports[i].Skip(1).ToArray()); // sees only its own file
        }

        await zuul.ReturnAsync(nodes);
        await TestHosts.WaitForAsync(async () => (await zuul.Store.NodesAsync(default)).IsEmpty, "the used nodes to be deleted");
        Assert.Empty(await LocalInstancesAsync());
        Assert.All(nodes, n => Assert.False(File.Exists($"/var/run/netns/{n.ExternalId}"), $"{n.ExternalId} left behind"));
    }

    [Fact]
    public async Task A_static_host_is_handed_out_after_a_liveness_check_deferred_while_busy_and_reregistered_after_use()
    {
        var (host, port) = TestHosts.Ssh;
        var provider = new ProviderConfig("static", "static")
        {
            Pools = [new PoolConfig("main") { Nodes = [new StaticNodeConfig(host, ["debian"]) { Username = "root", ConnectionPort = port }], Labels = [new("debian")] }],
        };
        var zuul = await ZuulAsync();
        await StartAsync(new ProvidersConfig([new LabelConfig("debian")], [provider], []));

        var first = await zuul.SubmitAsync("debian");
        var second = await zuul.SubmitAsync("debian");
        var tooBig = await zuul.SubmitAsync("debian", "debian"); // two at once from one single-slot host: never
        var failed = await zuul.WaitAsync(tooBig.Id);
        Assert.Equal((NodeRequestState.Failed, "static-main"), (failed.State, Assert.Single(failed.DeclinedBy)));
        var done = await zuul.WaitAsync(first.Id);
        Assert.Equal(NodeRequestState.Fulfilled, done.State);
        var waiting = (await zuul.Store.RequestAsync(second.Id, default))!; // one slot, in use: deferred, not declined
        Assert.Equal((NodeRequestState.Requested, 0), (waiting.State, waiting.DeclinedBy.Length));

        var node = Assert.Single(await zuul.AcceptAsync(done));
        Assert.Equal((host, port, "root", 0), (node.InterfaceIp!, node.ConnectionPort, node.Username, node.Slot!.Value));
        var result = await TestHosts.SshAsync(host, port, "root", node.HostKeys, "echo alive", _dir); // the scanned key is the host's
        Assert.Equal("alive", result.StandardOutput.Trim());
        await zuul.ReturnAsync([node]);

        var again = await zuul.WaitAsync(second.Id);
        var reused = Assert.Single(await zuul.Store.NodesAsync(default));
        Assert.Equal((NodeRequestState.Fulfilled, node.ExternalId), (again.State, reused.ExternalId));
        Assert.NotEqual(node.Id, reused.Id); // re-registered as a new record of the same slot
    }

    [Fact]
    public async Task Quota_defers_a_local_host_request_until_nodes_return_and_declines_one_that_can_never_fit()
    {
        var zuul = await ZuulAsync();
        await StartAsync(new ProvidersConfig([new LabelConfig("debian")], [LocalConfig(maxServers: 1)], []));
        var first = await zuul.SubmitAsync("debian");
        var fulfilled = await zuul.WaitAsync(first.Id);
        var nodes = await zuul.AcceptAsync(fulfilled);

        var deferred = await zuul.SubmitAsync("debian");
        var never = await zuul.SubmitAsync("debian", "debian");
        var failed = await zuul.WaitAsync(never.Id); // decided after the deferred one, which comes first in order
        Assert.Equal((NodeRequestState.Failed, "local-main"), (failed.State, Assert.Single(failed.DeclinedBy)));
        var waiting = (await zuul.Store.RequestAsync(deferred.Id, default))!;
        Assert.Equal((NodeRequestState.Requested, 0), (waiting.State, waiting.DeclinedBy.Length));
        Assert.Single(await LocalInstancesAsync());

        await zuul.ReturnAsync(nodes);
        var later = await zuul.WaitAsync(deferred.Id);
        Assert.Equal(NodeRequestState.Fulfilled, later.State);
        Assert.DoesNotContain(nodes[0].Id, later.NodeIds);
    }

    [Fact]
    public async Task Min_ready_keeps_ready_local_hosts_and_a_request_takes_one_without_waiting_for_a_launch()
    {
        var zuul = await ZuulAsync();
        await StartAsync(new ProvidersConfig([new LabelConfig("debian") { MinReady = 2 }], [LocalConfig(maxServers: 4)], []));
        static bool Free(Node n) => n is { State: NodeState.Ready, AllocatedTo: null };
        await TestHosts.WaitForAsync(async () => (await zuul.Store.NodesAsync(default)).Count(Free) == 2, "two ready min-ready hosts", 60);
        var stock = (await zuul.Store.NodesAsync(default)).Where(Free).Select(n => n.Id).ToHashSet();
        Assert.Empty(await zuul.Store.RequestsAsync(default)); // min-ready requests are gone once fulfilled

        var request = await zuul.SubmitAsync("debian");
        var done = await zuul.WaitAsync(request.Id);
        Assert.Contains(Assert.Single(done.NodeIds), stock); // a ready node was reused
        await TestHosts.WaitForAsync(async () => (await zuul.Store.NodesAsync(default)).Count(Free) == 2, "min-ready to top up again", 60);
        Assert.Equal(3, (await LocalInstancesAsync()).Length);
    }

    [Fact]
    public async Task A_failing_launch_is_retried_then_the_request_is_declined_and_zuul_sees_a_node_failure()
    {
        // A static host nobody answers on: every liveness check fails.
        var provider = new ProviderConfig("static", "static")
        {
            LaunchRetries = 3,
            Pools = [new PoolConfig("main") { Nodes = [new StaticNodeConfig("127.0.0.1", ["debian"]) { ConnectionPort = 23549, Timeout = TimeSpan.FromSeconds(2) }], Labels = [new("debian")] }],
        };
        var zuul = await ZuulAsync();
        CountingProvider? counting = null;
        await StartAsync(new ProvidersConfig([new LabelConfig("debian")], [provider], []), p => counting = new CountingProvider(new StaticNodeProvider(p)));
        var set = new NodeSet("one", [new("node", "debian")]);
        var request = await zuul.Store.SubmitRequestAsync(NodeSetRequests.RequestFor(set, 0, new NodeRequestTemplate("zuul", DateTimeOffset.UnixEpoch))!, default);

        var done = await zuul.WaitAsync(request.Id);
        Assert.Equal((NodeRequestState.Failed, "static-main"), (done.State, Assert.Single(done.DeclinedBy)));
        Assert.Equal(3, counting!.Creates);
        Assert.IsType<NodeSetOutcome.NodeFailure>(NodeSetRequests.Completed(set, 0, done));
        await TestHosts.WaitForAsync(async () => (await zuul.Store.NodesAsync(default)).IsEmpty, "the failed node record to be cleaned up");
    }

    [Fact]
    public async Task Autohold_keeps_a_failed_builds_local_host_until_the_operator_releases_it()
    {
        var zuul = await ZuulAsync();
        var launcher = await StartAsync(new ProvidersConfig([new LabelConfig("debian")], [LocalConfig(maxServers: 2)], []));
        var hold = new NodeHoldRequest("0000000001", "tenant", "example.org/project", "job", ".*", "debugging");
        var done = await zuul.WaitAsync((await zuul.SubmitAsync("debian")).Id);
        var nodes = await zuul.AcceptAsync(done);

        // The build failed and matches the autohold request: the executor holds its nodes instead of returning them.
        var match = Autohold.Match([hold], "tenant", "example.org/project", "job", "refs/heads/main", "FAILURE");
        var (_, held) = Autohold.Hold(match!, "build-1", nodes, DateTimeOffset.UtcNow, TimeSpan.FromDays(1), null);
        await zuul.ReturnAsync(held, n => held.Single(h => h.Id == n.Id));
        foreach (var worker in launcher.Workers)
        {
            await worker.CleanupAsync(default); // cleanup passes leave held nodes alone
        }

        var kept = Assert.Single(await zuul.Store.NodesAsync(default));
        Assert.Equal((NodeState.Hold, "tenant example.org/project job .*", "debugging"), (kept.State, kept.HoldJob, kept.Comment));
        var alive = await TestHosts.SshAsync(kept.InterfaceIp!, kept.ConnectionPort, kept.Username, kept.HostKeys, "echo still-here", _dir);
        Assert.Equal("still-here", alive.StandardOutput.Trim());

        // The operator releases the hold request: its nodes go to deleting, and the launcher deletes them.
        foreach (var released in Autohold.Release(match! with { Nodes = [new NodeHoldBuild("build-1", [kept.Id])] }, [kept], DateTimeOffset.UtcNow))
        {
            await zuul.Store.UpdateNodeAsync(released.Id, _ => released, default);
        }

        await TestHosts.WaitForAsync(async () => (await zuul.Store.NodesAsync(default)).IsEmpty, "the released node to be deleted");
        Assert.Empty(await LocalInstancesAsync());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var run in _running)
        {
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
            }
        }

        foreach (var item in _cleanup)
        {
            await item.DisposeAsync();
        }

        await using (var sweeper = new LocalHostProvider(LocalConfig(1), TestHosts.SshPublicKey, TimeProvider.System))
        {
            foreach (var instance in await sweeper.ListAsync(default))
            {
                await sweeper.DeleteAsync(instance.ExternalId, default);
            }
        }

        await _zk.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
        _stop.Dispose();
    }

    /// <summary>Counts launches of the provider it wraps.</summary>
    private sealed class CountingProvider(INodeProvider inner) : INodeProvider
    {
        public int Creates;

        public string Name => inner.Name;

        public ProviderQuota Quota => inner.Quota;

        public Task<ProviderNode> CreateAsync(NodeLaunch launch, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Creates);
            return inner.CreateAsync(launch, cancellationToken);
        }

        public Task<ProviderNode> WaitReadyAsync(ProviderNode node, CancellationToken cancellationToken) => inner.WaitReadyAsync(node, cancellationToken);

        public Task DeleteAsync(string externalId, CancellationToken cancellationToken) => inner.DeleteAsync(externalId, cancellationToken);

        public Task<ImmutableArray<ProviderInstance>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

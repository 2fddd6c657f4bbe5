using System.Collections.Immutable;
using Gating.Model;
using Gating.Nodepool.Config;
using Gating.Nodepool.Launcher;
using Gating.Nodepool.Providers;
using Gating.Nodepool.Providers.Local;
using Gating.Nodepool.Providers.Static;
using Gating.Nodepool.Tests.Providers;

namespace Gating.Nodepool.Tests.Launcher;

/// <summary>The launcher end to end on real hosts: the sshd test node and local isolated hosts (ports 23530-23559).</summary>
public sealed class PoolWorkerIntegrationTests : IAsyncLifetime
{
    private readonly string _dir = TestHosts.TempDir("launcher");
    private readonly string _prefix = $"w{Guid.NewGuid():N}"[..6];
    private readonly List<IAsyncDisposable> _cleanup = [];

    private ProviderConfig LocalConfig(int maxServers) => LocalHosts.Config(_prefix, Path.Combine(_dir, "nodes"), 23530, 23559) with
    {
        Pools = [new PoolConfig("main") { MaxServers = maxServers, Labels = [new PoolLabelConfig("debian")] }],
    };

    private LocalHostProvider NewLocalProvider(ProviderConfig config)
    {
        var provider = new LocalHostProvider(config, TestHosts.SshPublicKey, TimeProvider.System);
        _cleanup.Add(provider);
        return provider;
    }

    private static async Task<NodeRequest> WaitDoneAsync(InMemoryNodeStore.Session session, PoolWorker worker, string id)
    {
        NodeRequest? request = null;
        await TestHosts.WaitForAsync(async () =>
        {
            await worker.RunOnceAsync(default);
            await worker.IdleAsync();
            request = (await session.RequestsAsync(default)).Single(r => r.Id == id);
            return request.IsDone;
        }, $"request {id} to finish", seconds: 60);
        return request!;
    }

    [Fact]
    public async Task A_three_node_request_is_fulfilled_with_separate_local_hosts_and_nothing_is_left_after_use()
    {
        var provider = LocalConfig(maxServers: 3);
        var config = new ProvidersConfig([new LabelConfig("debian")], [provider], []);
        var store = new InMemoryNodeStore();
        var session = store.Connect("launcher");
        var nodeProvider = NewLocalProvider(provider);
        await using var worker = new PoolWorker(config, provider, provider.Pools[0], nodeProvider, session, "launcher", TimeProvider.System);
        var zuul = store.Connect("zuul");
        var set = new NodeSet("three", [new("controller", "debian"), new("compute1", "debian"), new("compute2", "debian")]);
        var request = await zuul.SubmitRequestAsync(NodeSetRequests.RequestFor(set, 0, new NodeRequestTemplate("zuul", DateTimeOffset.UnixEpoch))!, default);

        var done = await WaitDoneAsync(zuul, worker, request.Id);
        var provisioned = Assert.IsType<NodeSetOutcome.Provisioned>(NodeSetRequests.Completed(set, 0, done));
        var nodes = await zuul.NodesAsync(default);
        var accepted = NodeSetRequests.Accept(done, nodes, DateTimeOffset.UnixEpoch).Nodes!.Value;
        var names = new List<string>();
        foreach (var node in accepted)
        {
            var result = await TestHosts.SshAsync(node.InterfaceIp!, node.ConnectionPort, node.Username, node.HostKeys, "hostname", _dir);
            Assert.True(result.ExitCode == 0, result.StandardError);
            names.Add(result.StandardOutput.Trim());
            await zuul.SaveNodeAsync(node, default);
        }

        Assert.Equal(3, names.Distinct().Count());
        Assert.Equal(3, provisioned.NodeIds.Count);

        foreach (var node in NodeSetRequests.Return(accepted, DateTimeOffset.UnixEpoch))
        {
            await zuul.SaveNodeAsync(node, default);
        }

        await worker.CleanupAsync(default);
        Assert.Empty(await zuul.NodesAsync(default));
        Assert.Empty(await nodeProvider.ListAsync(default));
        Assert.All(names, n => Assert.False(File.Exists($"/var/run/netns/{n}")));
    }

    [Fact]
    public async Task A_static_host_is_handed_out_after_a_liveness_check_and_reregistered_after_use()
    {
        var (host, port) = TestHosts.Ssh;
        var provider = new ProviderConfig("static", "static")
        {
            Pools = [new PoolConfig("main") { Nodes = [new StaticNodeConfig(host, ["debian"]) { Username = "root", ConnectionPort = port }], Labels = [new("debian")] }],
        };
        var config = new ProvidersConfig([new LabelConfig("debian")], [provider], []);
        var store = new InMemoryNodeStore();
        var zuul = store.Connect("zuul");
        await using var nodeProvider = new StaticNodeProvider(provider);
        await using var worker = new PoolWorker(config, provider, provider.Pools[0], nodeProvider, store.Connect("launcher"), "launcher", TimeProvider.System);

        var first = await zuul.SubmitRequestAsync(new NodeRequest("", NodeRequestState.Requested, DateTimeOffset.UnixEpoch, ["debian"], "zuul"), default);
        var second = await zuul.SubmitRequestAsync(new NodeRequest("", NodeRequestState.Requested, DateTimeOffset.UnixEpoch, ["debian"], "zuul"), default);
        var done = await WaitDoneAsync(zuul, worker, first.Id);
        Assert.Equal(NodeRequestState.Fulfilled, done.State);
        await worker.RunOnceAsync(default);
        Assert.Equal(NodeRequestState.Requested, (await zuul.RequestsAsync(default)).Single(r => r.Id == second.Id).State); // one slot: deferred

        var node = (await zuul.NodesAsync(default)).Single();
        Assert.Equal((host, port, "root", 0), (node.InterfaceIp!, node.ConnectionPort, node.Username, node.Slot!.Value));
        Assert.NotEmpty(node.HostKeys);
        var result = await TestHosts.SshAsync(host, port, "root", node.HostKeys, "echo alive", _dir);
        Assert.Equal("alive", result.StandardOutput.Trim());

        await zuul.SaveNodeAsync(node.WithState(NodeState.Used, DateTimeOffset.UnixEpoch), default);
        var again = await WaitDoneAsync(zuul, worker, second.Id);
        var reused = (await zuul.NodesAsync(default)).Single();
        Assert.Equal((NodeRequestState.Fulfilled, node.ExternalId), (again.State, reused.ExternalId));
    }

    [Fact]
    public async Task A_launcher_killed_while_booting_local_hosts_leaves_nothing_and_another_launcher_finishes()
    {
        var provider = LocalConfig(maxServers: 4);
        var config = new ProvidersConfig([new LabelConfig("debian")], [provider], []);
        var store = new InMemoryNodeStore();
        var zuul = store.Connect("zuul");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dyingProvider = new GatedProvider(NewLocalProvider(provider), gate.Task);
        var dyingSession = store.Connect("dying");
        var dying = new PoolWorker(config, provider, provider.Pools[0], dyingProvider, dyingSession, "dying", TimeProvider.System);
        var request = await zuul.SubmitRequestAsync(new NodeRequest("", NodeRequestState.Requested, DateTimeOffset.UnixEpoch, ["debian", "debian"], "zuul"), default);

        Assert.Equal(1, await dying.AssignAsync(default));
        await TestHosts.WaitForAsync(() => Task.FromResult(dyingProvider.Waiting == 2), "both hosts to be made");
        var orphans = (await NewLocalProvider(provider).ListAsync(default)).Select(i => i.ExternalId).ToList();
        Assert.Equal(2, orphans.Count);

        dyingSession.Expire();
        await dying.DisposeAsync();

        var survivorProvider = NewLocalProvider(provider);
        await using var survivor = new PoolWorker(config, provider, provider.Pools[0], survivorProvider, store.Connect("survivor"), "survivor", TimeProvider.System);
        var done = await WaitDoneAsync(zuul, survivor, request.Id);
        Assert.Equal(NodeRequestState.Fulfilled, done.State);
        var instances = (await survivorProvider.ListAsync(default)).Select(i => i.ExternalId).ToList();
        Assert.Equal(2, instances.Count);
        Assert.Empty(instances.Intersect(orphans));
        Assert.All(orphans, o => Assert.False(File.Exists($"/var/run/netns/{o}"), $"{o} leaked"));
        Assert.All(await zuul.NodesAsync(default), n => Assert.Equal("survivor", n.Launcher));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await using (var sweeper = new LocalHostProvider(LocalConfig(1), TestHosts.SshPublicKey, TimeProvider.System))
        {
            foreach (var instance in await sweeper.ListAsync(default))
            {
                await sweeper.DeleteAsync(instance.ExternalId, default);
            }
        }

        foreach (var item in _cleanup)
        {
            await item.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Holds launches after the host is made, before it is declared ready.</summary>
    private sealed class GatedProvider(INodeProvider inner, Task gate) : INodeProvider
    {
        public int Waiting;

        public string Name => inner.Name;

        public ProviderQuota Quota => inner.Quota;

        public Task<ProviderNode> CreateAsync(NodeLaunch launch, CancellationToken cancellationToken) => inner.CreateAsync(launch, cancellationToken);

        public async Task<ProviderNode> WaitReadyAsync(ProviderNode node, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Waiting);
            await gate.WaitAsync(cancellationToken);
            return await inner.WaitReadyAsync(node, cancellationToken);
        }

        public Task DeleteAsync(string externalId, CancellationToken cancellationToken) => inner.DeleteAsync(externalId, cancellationToken);

        public Task<ImmutableArray<ProviderInstance>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

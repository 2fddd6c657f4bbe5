using System.Text;
using Gating.Model;
using Gating.Nodepool.Launcher;
using Gating.Nodepool.Store;
using Gating.Nodepool.Tests.Launcher;
using Gating.ZooKeeper;
using Gating.ZooKeeper.Embedded;

namespace Gating.Nodepool.Tests.Store;

/// <summary>The launcher on ZooKeeper (the embedded server: same semantics, sessions that expire).</summary>
public sealed class ZooKeeperNodeStoreIntegrationTests : IAsyncLifetime
{
    private const string Root = "/nodepool";
    private readonly EmbeddedZooKeeper _server = EmbeddedZooKeeper.OpenInMemory(new EmbeddedZooKeeperOptions());
    private readonly List<IAsyncDisposable> _cleanup = [];

    private async Task<(IZooKeeper Zk, ZooKeeperNodeStore Store)> ConnectAsync()
    {
        var zk = await _server.ConnectAsync(TimeSpan.FromSeconds(30), default);
        _cleanup.Add(zk);
        return (zk, await ZooKeeperNodeStore.OpenAsync(zk, Root, default));
    }

    private PoolWorker Worker(ZooKeeperNodeStore store, string name, FakeBackend backend)
    {
        var config = LauncherHarness.SimpleConfig();
        var worker = new PoolWorker(config, config.Providers[0], config.Providers[0].Pools[0], new FakeNodeProvider("cloud", backend), store, name, TimeProvider.System);
        _cleanup.Insert(0, worker);
        return worker;
    }

    private static NodeRequest Request(params string[] labels) =>
        new("", NodeRequestState.Requested, DateTimeOffset.UnixEpoch, [.. labels], "zuul") { TenantName = "tenant" };

    [Fact]
    public async Task Requests_and_nodes_live_in_znodes_with_nodepools_layout()
    {
        var (zk, zuul) = await ConnectAsync();
        var (_, launcher) = await ConnectAsync();
        var worker = Worker(launcher, "l1", new FakeBackend());
        var request = await zuul.SubmitRequestAsync(Request("small", "big"), default);
        Assert.Equal("200-0000000000", request.Id);

        await worker.RunOnceAsync(default);
        await worker.IdleAsync();

        var body = Encoding.UTF8.GetString((await zk.GetDataAsync($"{Root}/requests/{request.Id}", null, default)).Data);
        Assert.Contains("\"state\":\"fulfilled\"", body);
        var done = (await zuul.RequestsAsync(default)).Single();
        Assert.Equal(2, done.NodeIds.Length);
        var nodeBody = Encoding.UTF8.GetString((await zk.GetDataAsync($"{Root}/nodes/{done.NodeIds[0]}", null, default)).Data);
        Assert.Contains("\"type\":[\"small\"]", nodeBody);
        Assert.Contains($"\"allocated_to\":\"{request.Id}\"", nodeBody);
        Assert.Single((await zk.GetChildrenAsync($"{Root}/components/pool", null, default)).Children);
        Assert.Empty((await zk.GetChildrenAsync($"{Root}/requests-lock", null, default)).Children);
    }

    [Fact]
    public async Task A_launcher_whose_session_expires_mid_request_leaves_nothing_and_another_finishes()
    {
        var (_, zuul) = await ConnectAsync();
        var (dyingZk, dyingStore) = await ConnectAsync();
        var backend = new FakeBackend { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var dying = Worker(dyingStore, "dying", backend);
        var request = await zuul.SubmitRequestAsync(Request("small", "small"), default);
        Assert.Equal(1, await dying.AssignAsync(default));
        await TestHosts.WaitForAsync(() => Task.FromResult(backend.Waiting == 2), "both launches to wait");
        Assert.Contains(request.Id, (await zuul.LockedAsync(default)).Requests);
        var orphans = backend.Instances.Keys.ToList();

        await _server.ExpireSessionAsync(dyingZk.SessionId, default); // the launcher died: its locks are gone
        await dying.DisposeAsync();
        Assert.Empty((await zuul.LockedAsync(default)).Requests);
        Assert.Empty((await zuul.PoolsAsync(default)));

        var (_, survivorStore) = await ConnectAsync();
        backend.Gate = FakeBackend.Open();
        var survivor = Worker(survivorStore, "survivor", backend);
        await survivor.CleanupAsync(default);
        Assert.Equal(NodeRequestState.Requested, (await zuul.RequestsAsync(default)).Single().State);
        Assert.All(orphans, o => Assert.False(backend.Instances.ContainsKey(o), $"{o} leaked"));

        await survivor.RunOnceAsync(default);
        await survivor.IdleAsync();
        var done = (await zuul.RequestsAsync(default)).Single();
        Assert.Equal(NodeRequestState.Fulfilled, done.State);
        Assert.All(await zuul.NodesAsync(default), n => Assert.Equal("survivor", n.Launcher));
        Assert.Equal(2, backend.Instances.Count);
    }

    [Fact]
    public async Task Locks_are_exclusive_between_sessions()
    {
        var (_, a) = await ConnectAsync();
        var (_, b) = await ConnectAsync();
        var request = await a.SubmitRequestAsync(Request("small"), default);
        var held = await a.TryLockRequestAsync(request.Id, default);
        Assert.NotNull(held);
        Assert.Null(await b.TryLockRequestAsync(request.Id, default));
        await held!.DisposeAsync();
        await using var taken = await b.TryLockRequestAsync(request.Id, default);
        Assert.NotNull(taken);
        Assert.Null(await a.TryLockNodeAsync("0000000099", default)); // no such node: nothing to lock
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var item in _cleanup)
        {
            await item.DisposeAsync();
        }

        await _server.DisposeAsync();
    }
}

using System.Text;
using Gating.Coordination;
using Gating.Model;
using Gating.Nodepool.Launcher;
using Gating.Nodepool.Store;
using Gating.Nodepool.Tests.Launcher;
using Gating.ZooKeeper;

namespace Gating.Nodepool.Tests.Store;

/// <summary>The launcher's store on the real ZooKeeper.</summary>
public sealed class ZooKeeperNodeStoreRealIntegrationTests() : ZooKeeperNodeStoreIntegrationTests(new RealNodeStoreBackend());

/// <summary>The launcher's store on the embedded ZooKeeper (same semantics, sessions that expire on command).</summary>
public sealed class ZooKeeperNodeStoreEmbeddedIntegrationTests() : ZooKeeperNodeStoreIntegrationTests(new EmbeddedNodeStoreBackend());

/// <summary>
/// <see cref="ZooKeeperNodeStore"/> and the launcher on it: Nodepool's layout, the lock recipe, compare-and-set
/// writes, watches, and a launcher dying mid-request. Run against both servers by the subclasses above.
/// </summary>
public abstract class ZooKeeperNodeStoreIntegrationTests(NodeStoreBackend backend) : IAsyncLifetime
{
    private const string Root = "/nodepool";
    private readonly List<IAsyncDisposable> _cleanup = [];

    private async Task<(IZooKeeper Zk, ZooKeeperNodeStore Store)> ConnectAsync(string name = "test")
    {
        var zk = await backend.ConnectAsync();
        _cleanup.Add(zk);
        return (zk, await ZooKeeperNodeStore.OpenAsync(zk, Root, name, TimeProvider.System, default));
    }

    private PoolWorker Worker(ZooKeeperNodeStore store, string name, FakeBackend fake)
    {
        var config = LauncherHarness.SimpleConfig();
        var worker = new PoolWorker(config, config.Providers[0], config.Providers[0].Pools[0], new FakeNodeProvider("cloud", fake), store, name, TimeProvider.System);
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
        var done = (await zuul.RequestAsync(request.Id, default))!;
        Assert.Equal(2, done.NodeIds.Length);
        var nodeBody = Encoding.UTF8.GetString((await zk.GetDataAsync($"{Root}/nodes/{done.NodeIds[0]}", null, default)).Data);
        Assert.Contains("\"type\":[\"small\"]", nodeBody);
        Assert.Contains($"\"allocated_to\":\"{request.Id}\"", nodeBody);
        Assert.Single((await zk.GetChildrenAsync($"{Root}/components/pool", null, default)).Children);
        // The request's lock znode stays (as kazoo leaves it) but nobody contends for it any more.
        Assert.Empty(await zk.TryGetChildrenAsync($"{Root}/requests-lock/{request.Id}", default));
        Assert.Empty((await zuul.LockedAsync(default)).Requests);
    }

    [Fact]
    public async Task Locks_are_the_lock_recipe_exclusive_between_sessions_and_never_revive_a_deleted_node()
    {
        var (zk, a) = await ConnectAsync("launcher-a");
        var (_, b) = await ConnectAsync("launcher-b");
        var request = await a.SubmitRequestAsync(Request("small"), default);
        var held = await a.TryLockRequestAsync(request.Id, default);
        Assert.NotNull(held);
        Assert.Null(await b.TryLockRequestAsync(request.Id, default));
        var contenders = await ZkLock.GetContendersAsync(zk, $"{Root}/requests-lock/{request.Id}", default);
        Assert.Equal("launcher-a", Encoding.UTF8.GetString(Assert.Single(contenders).Identifier)); // kazoo's <uuid>__lock__<seq>
        Assert.Contains("__lock__", contenders[0].Name);
        await held!.DisposeAsync();
        await using (var taken = await b.TryLockRequestAsync(request.Id, default))
        {
            Assert.NotNull(taken);
            Assert.Equal([request.Id], (await a.LockedAsync(default)).Requests);
        }

        var id = await a.NewNodeIdAsync(default);
        await a.SaveNodeAsync(new Node(id, NodeState.Ready, DateTimeOffset.UnixEpoch, "cloud", "main", ["small"]), default);
        await using (var nodeLock = await a.TryLockNodeAsync(id, default))
        {
            Assert.NotNull(nodeLock);
            Assert.Null(await b.TryLockNodeAsync(id, default));
            Assert.Equal([id], (await b.LockedAsync(default)).Nodes);
        }

        await a.DeleteNodeAsync(id, default);
        Assert.Null(await a.TryLockNodeAsync(id, default)); // no such node: nothing to lock
        Assert.Null(await zk.ExistsAsync($"{Root}/nodes/{id}", null, default));
    }

    [Fact]
    public async Task A_write_between_read_and_write_is_detected_and_both_updates_survive()
    {
        var (_, zuul) = await ConnectAsync("zuul");
        var (_, launcher) = await ConnectAsync("launcher");
        var request = await zuul.SubmitRequestAsync(Request("small"), default);
        var calls = 0;

        var pending = await launcher.UpdateRequestAsync(request.Id, r =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                // Zuul revises the relative priority while the launcher is deciding (reference/zuul.md 5.2).
                zuul.UpdateRequestAsync(request.Id, z => z with { RelativePriority = 7 }, default).GetAwaiter().GetResult();
            }

            return r with { State = NodeRequestState.Pending };
        }, default);

        Assert.Equal(2, calls);
        Assert.Equal(1, launcher.Conflicts);
        var stored = (await zuul.RequestAsync(request.Id, default))!;
        Assert.Equal((NodeRequestState.Pending, 7), (stored.State, stored.RelativePriority));
        Assert.Equal((NodeRequestState.Pending, 7), (pending!.State, pending.RelativePriority));
        Assert.Null(await launcher.UpdateRequestAsync("200-0000000099", r => r, default)); // gone: nothing written
        Assert.Null(await launcher.UpdateRequestAsync(request.Id, _ => null, default)); // the change declined to write
    }

    [Fact]
    public async Task A_running_launcher_is_woken_by_the_watch_not_by_its_safety_net()
    {
        var (_, zuul) = await ConnectAsync("zuul");
        var (_, launcher) = await ConnectAsync("launcher");
        var worker = Worker(launcher, "l1", new FakeBackend());
        using var stop = new CancellationTokenSource();
        var run = worker.RunAsync(new PoolWorkerTimings { SafetyNet = TimeSpan.FromHours(1), Cleanup = TimeSpan.FromHours(1) }, stop.Token);
        try
        {
            await TestHosts.WaitForAsync(async () => (await zuul.PoolsAsync(default)).Length == 1, "the launcher's first pass");
            foreach (var round in Enumerable.Range(0, 3))
            {
                var request = await zuul.SubmitRequestAsync(Request("small"), default);
                await TestHosts.WaitForAsync(async () => (await zuul.RequestAsync(request.Id, default))?.State == NodeRequestState.Fulfilled,
                    $"request {request.Id} (round {round}) to be fulfilled with no pass due for an hour");
            }
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
                // Stopped while waiting: the normal way out.
            }
        }
    }

    [Fact]
    public async Task A_launcher_whose_session_ends_mid_request_leaves_nothing_and_another_finishes()
    {
        var (_, zuul) = await ConnectAsync("zuul");
        var (dyingZk, dyingStore) = await ConnectAsync("dying");
        var fake = new FakeBackend { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var dying = Worker(dyingStore, "dying", fake);
        var request = await zuul.SubmitRequestAsync(Request("small", "small"), default);
        Assert.Equal(1, await dying.AssignAsync(default));
        await TestHosts.WaitForAsync(() => Task.FromResult(fake.Waiting == 2), "both launches to wait");
        Assert.Contains(request.Id, (await zuul.LockedAsync(default)).Requests);
        Assert.Equal(2, (await zuul.LockedAsync(default)).Nodes.Count);
        var orphans = fake.Instances.Keys.ToList();

        await backend.EndSessionAsync(dyingZk); // the launcher died: its locks and registration go with its session
        await dying.DisposeAsync();
        Assert.Empty((await zuul.LockedAsync(default)).Requests);
        Assert.Empty((await zuul.LockedAsync(default)).Nodes);
        Assert.Empty(await zuul.PoolsAsync(default));

        var (_, survivorStore) = await ConnectAsync("survivor");
        fake.Gate = FakeBackend.Open();
        var survivor = Worker(survivorStore, "survivor", fake);
        await survivor.CleanupAsync(default);
        Assert.Equal(NodeRequestState.Requested, (await zuul.RequestAsync(request.Id, default))!.State);
        Assert.All(orphans, o => Assert.False(fake.Instances.ContainsKey(o), $"{o} leaked"));

        await survivor.RunOnceAsync(default);
        await survivor.IdleAsync();
        var done = (await zuul.RequestAsync(request.Id, default))!;
        Assert.Equal(NodeRequestState.Fulfilled, done.State);
        Assert.All(await zuul.NodesAsync(default), n => Assert.Equal("survivor", n.Launcher));
        Assert.Equal(2, fake.Instances.Count);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var item in _cleanup)
        {
            try
            {
                await item.DisposeAsync();
            }
            catch (ZooKeeperException)
            {
                // A session a test ended already.
            }
        }

        await backend.DisposeAsync();
    }
}

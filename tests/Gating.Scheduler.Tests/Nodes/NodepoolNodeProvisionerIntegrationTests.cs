using System.Collections.Immutable;
using Gating.Coordination;
using Gating.Model;
using Gating.Model.Events;
using Gating.Model.Json;
using Gating.Nodepool.Store;
using Gating.Scheduler.Nodes;
using Gating.Scheduler.Pipelines;
using Gating.ZooKeeper;

namespace Gating.Scheduler.Tests.Nodes;

/// <summary>
/// <see cref="NodepoolNodeProvisioner"/> on the real ZooKeeper (a chroot per test), with the test acting as the
/// launcher and the executor through nodepool's own store (<see cref="ZooKeeperNodeStore"/>), so both sides agree on
/// the data layout.
/// </summary>
public sealed class NodepoolNodeProvisionerIntegrationTests : IAsyncLifetime
{
    private const string Tenant = "tenant-one";
    private const string Pipeline = "check";
    private readonly string _chroot = "/gating-sched-nodes-" + Guid.NewGuid().ToString("N");
    private readonly List<IZooKeeper> _sessions = [];
    private IZooKeeper _zk = null!;
    private ZooKeeperNodeStore _launcher = null!;

    private static RequestNodes Request(string id, int precedence = 200, params string[] labels) =>
        new(id, "item-1", "bs-1", "job-1", new FrozenNodeset(null, [.. labels.Select((l, i) => new FrozenNode([$"node{i}"], l))], [], []), precedence, 3);

    public async Task InitializeAsync()
    {
        var server = Environment.GetEnvironmentVariable("GATING_TEST_ZOOKEEPER");
        Assert.False(string.IsNullOrWhiteSpace(server), "GATING_TEST_ZOOKEEPER is not set: run `bash .ci/services start` and export what it prints");
        await using (var root = await ConnectAsync(server!))
        {
            await root.CreateAsync(_chroot, default, CreateOptions.Persistent, CancellationToken.None);
        }
        _zk = await SessionAsync();
        _launcher = await ZooKeeperNodeStore.OpenAsync(await SessionAsync(), ZkPaths.NodepoolRoot, "launcher", TimeProvider.System, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var session in _sessions)
        {
            await session.DisposeAsync();
        }
        await using var root = await ConnectAsync(Environment.GetEnvironmentVariable("GATING_TEST_ZOOKEEPER")!);
        await root.DeleteTreeAsync(_chroot, CancellationToken.None);
    }

    private async Task<IZooKeeper> SessionAsync()
    {
        var zk = await ConnectAsync(Environment.GetEnvironmentVariable("GATING_TEST_ZOOKEEPER") + _chroot);
        _sessions.Add(zk);
        return zk;
    }

    private static async Task<IZooKeeper> ConnectAsync(string connectString) =>
        await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = connectString, SessionTimeout = TimeSpan.FromSeconds(10) }, CancellationToken.None);

    private async Task<NodepoolNodeProvisioner> ProvisionerAsync() => new(await SessionAsync(), TimeProvider.System, "gating-test");

    private async Task<ImmutableArray<PipelineEvent>> EventsAsync() =>
        [.. (await new EventQueue(_zk, ZkPaths.PipelineResultEvents(Tenant, Pipeline)).ReadAsync(CancellationToken.None)).Select(e => ResultEventJson.Deserialize(e.Payload))];

    // What a launcher does on success: a ready node allocated to the request, the request fulfilled with it.
    private async Task<string> FulfilAsync(NodeRequest request, NodeState state = NodeState.Ready)
    {
        var nodeId = await _launcher.NewNodeIdAsync(CancellationToken.None);
        await _launcher.SaveNodeAsync(new Node(nodeId, state, DateTimeOffset.UnixEpoch, "static", "main", ["debian"]) { AllocatedTo = request.Id, InterfaceIp = "127.0.0.1" }, CancellationToken.None);
        await _launcher.UpdateRequestAsync(request.Id, r => r with { State = NodeRequestState.Fulfilled, NodeIds = [nodeId] }, CancellationToken.None);
        return nodeId;
    }

    [Fact]
    public async Task A_request_is_written_once_in_nodepools_format_and_read_back_by_nodepools_store()
    {
        var provisioner = await ProvisionerAsync();

        await provisioner.RequestAsync(Tenant, Pipeline, Request("nr-1", 100, "debian", "centos"), CancellationToken.None);
        await provisioner.RequestAsync(Tenant, Pipeline, Request("nr-1", 100, "debian", "centos"), CancellationToken.None);

        var request = Assert.Single(await _launcher.RequestsAsync(CancellationToken.None));
        Assert.StartsWith("100-", request.Id, StringComparison.Ordinal);
        Assert.Equal((NodeRequestState.Requested, "gating-test", 100, 3, Tenant), (request.State, request.Requestor, request.Priority, request.RelativePriority, request.TenantName));
        Assert.Equal(new[] { "debian", "centos" }, request.Labels.ToArray());
        Assert.Equal(new NodeRequestorData("bs-1", Tenant, Pipeline, "nr-1", "job-1"), request.RequestorData);
    }

    [Fact]
    public async Task A_fulfilled_request_is_answered_exactly_once_even_by_two_watchers()
    {
        var first = await ProvisionerAsync();
        var second = await ProvisionerAsync();
        await first.RequestAsync(Tenant, Pipeline, Request("nr-1", 200, "debian"), CancellationToken.None);
        Assert.False(await first.RunOnceAsync(CancellationToken.None)); // still requested: nothing to say
        var nodeId = await FulfilAsync(Assert.Single(await _launcher.RequestsAsync(CancellationToken.None)));

        var answered = await Task.WhenAll(first.RunOnceAsync(CancellationToken.None), second.RunOnceAsync(CancellationToken.None));
        Assert.False(await first.RunOnceAsync(CancellationToken.None));

        Assert.Equal(1, answered.Count(a => a));
        var provisioned = Assert.IsType<NodesProvisionedEvent>(Assert.Single(await EventsAsync()));
        Assert.Equal(("nr-1", nodeId), (provisioned.RequestId, Assert.Single(provisioned.Nodes)));
        // Until the nodes come back, the fulfilled request stays, so nodepool's cleanup never frees its nodes.
        Assert.Single(await _launcher.RequestsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_failed_request_is_answered_nodes_failed_and_deleted()
    {
        var provisioner = await ProvisionerAsync();
        await provisioner.RequestAsync(Tenant, Pipeline, Request("nr-1", 200, "debian"), CancellationToken.None);
        var request = Assert.Single(await _launcher.RequestsAsync(CancellationToken.None));
        await _launcher.UpdateRequestAsync(request.Id, r => r with { State = NodeRequestState.Failed, DeclinedBy = ["static-main"] }, CancellationToken.None);

        Assert.True(await provisioner.RunOnceAsync(CancellationToken.None));
        Assert.False(await provisioner.RunOnceAsync(CancellationToken.None));

        Assert.Equal("nr-1", Assert.IsType<NodesFailedEvent>(Assert.Single(await EventsAsync())).RequestId);
        Assert.Empty(await _launcher.RequestsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_cancelled_request_is_withdrawn_and_never_answered()
    {
        var provisioner = await ProvisionerAsync();
        await provisioner.RequestAsync(Tenant, Pipeline, Request("nr-1", 200, "debian"), CancellationToken.None);
        var request = Assert.Single(await _launcher.RequestsAsync(CancellationToken.None));

        await provisioner.CancelAsync("nr-1", CancellationToken.None);
        await provisioner.CancelAsync("nr-1", CancellationToken.None);
        await provisioner.CancelAsync("never-requested", CancellationToken.None);

        Assert.Empty(await _launcher.RequestsAsync(CancellationToken.None));
        Assert.Null(await _launcher.RequestAsync(request.Id, CancellationToken.None));
        Assert.False(await provisioner.RunOnceAsync(CancellationToken.None));
        Assert.Empty(await EventsAsync());
        Assert.Empty(await _zk.TryGetChildrenAsync(NodepoolNodeProvisioner.TrackingRoot, CancellationToken.None));
    }

    [Fact]
    public async Task Returned_nodes_in_use_become_used_unused_ones_stay_ready_and_the_request_goes()
    {
        var provisioner = await ProvisionerAsync();
        await provisioner.RequestAsync(Tenant, Pipeline, Request("nr-1", 200, "debian"), CancellationToken.None);
        await provisioner.RequestAsync(Tenant, Pipeline, Request("nr-2", 200, "debian"), CancellationToken.None);
        var requests = await _launcher.RequestsAsync(CancellationToken.None);
        var used = await FulfilAsync(requests[0], NodeState.InUse); // its executor died without giving it back
        var unused = await FulfilAsync(requests[1]);                // its build never started
        await provisioner.RunOnceAsync(CancellationToken.None);

        await provisioner.ReturnAsync([used], CancellationToken.None);
        await provisioner.ReturnAsync([unused], CancellationToken.None);
        await provisioner.ReturnAsync([used, unused], CancellationToken.None); // again: nothing more happens

        Assert.Equal(NodeState.Used, (await _launcher.NodeAsync(used, CancellationToken.None))!.State);
        Assert.Equal(NodeState.Ready, (await _launcher.NodeAsync(unused, CancellationToken.None))!.State);
        Assert.Empty(await _launcher.RequestsAsync(CancellationToken.None));
        Assert.Empty(await _zk.TryGetChildrenAsync(NodepoolNodeProvisioner.TrackingRoot, CancellationToken.None));
        Assert.Empty(await _zk.TryGetChildrenAsync(NodepoolNodeProvisioner.NodeIndexRoot, CancellationToken.None));
        var (_, locked) = await _launcher.LockedAsync(CancellationToken.None);
        Assert.Empty(locked);
    }

    [Fact]
    public async Task A_node_held_by_its_executor_is_left_to_it_on_return()
    {
        var provisioner = await ProvisionerAsync();
        await provisioner.RequestAsync(Tenant, Pipeline, Request("nr-1", 200, "debian"), CancellationToken.None);
        var node = await FulfilAsync(Assert.Single(await _launcher.RequestsAsync(CancellationToken.None)), NodeState.InUse);
        await provisioner.RunOnceAsync(CancellationToken.None);
        await using var executorLock = await _launcher.TryLockNodeAsync(node, CancellationToken.None);
        Assert.NotNull(executorLock);

        await provisioner.ReturnAsync([node], CancellationToken.None);

        Assert.Equal(NodeState.InUse, (await _launcher.NodeAsync(node, CancellationToken.None))!.State);
        Assert.Empty(await _launcher.RequestsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Requests_whose_nodes_the_executor_gave_back_on_its_own_are_collected_and_the_others_kept()
    {
        var provisioner = await ProvisionerAsync();
        await provisioner.RequestAsync(Tenant, Pipeline, Request("nr-1", 200, "debian"), CancellationToken.None);
        await provisioner.RequestAsync(Tenant, Pipeline, Request("nr-2", 200, "debian"), CancellationToken.None);
        await provisioner.RequestAsync(Tenant, Pipeline, Request("nr-3", 200, "debian"), CancellationToken.None);
        var requests = await _launcher.RequestsAsync(CancellationToken.None);
        var used = await FulfilAsync(requests[0], NodeState.Used);   // an aborted build of a dequeued item: never returned
        var deleted = await FulfilAsync(requests[1]);
        await _launcher.DeleteNodeAsync(deleted, CancellationToken.None); // used, and already cleaned up by nodepool
        await FulfilAsync(requests[2]);                                // ready: its build is yet to run
        await provisioner.RunOnceAsync(CancellationToken.None);

        Assert.Equal(2, await provisioner.CollectAsync(CancellationToken.None));
        Assert.Equal(0, await provisioner.CollectAsync(CancellationToken.None));

        Assert.Equal(requests[2].Id, Assert.Single(await _launcher.RequestsAsync(CancellationToken.None)).Id);
        Assert.Equal(new[] { "nr-3" }, (await _zk.TryGetChildrenAsync(NodepoolNodeProvisioner.TrackingRoot, CancellationToken.None)).ToArray());
        Assert.Equal(NodeState.Used, (await _launcher.NodeAsync(used, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task A_request_interrupted_between_submit_and_bookkeeping_is_found_again_not_submitted_twice()
    {
        var provisioner = await ProvisionerAsync();
        await provisioner.RequestAsync(Tenant, Pipeline, Request("nr-1", 200, "debian"), CancellationToken.None);
        // Back to the state a crash right after the submit leaves: the record does not name the request yet.
        var path = NodepoolNodeProvisioner.TrackingPath("nr-1");
        var record = TrackedNodeRequest.FromJson((await _zk.GetDataAsync(path, null, CancellationToken.None)).Data);
        await _zk.SetDataAsync(path, (record with { NodepoolId = null }).ToJson(), ZooKeeperVersion.Any, CancellationToken.None);

        await (await ProvisionerAsync()).RequestAsync(Tenant, Pipeline, Request("nr-1", 200, "debian"), CancellationToken.None);

        var request = Assert.Single(await _launcher.RequestsAsync(CancellationToken.None));
        Assert.Equal(request.Id, TrackedNodeRequest.FromJson((await _zk.GetDataAsync(path, null, CancellationToken.None)).Data).NodepoolId);
    }

    [Fact]
    public async Task A_request_deleted_behind_the_schedulers_back_is_answered_nodes_failed()
    {
        var provisioner = await ProvisionerAsync();
        await provisioner.RequestAsync(Tenant, Pipeline, Request("nr-1", 200, "debian"), CancellationToken.None);
        await _launcher.DeleteRequestAsync(Assert.Single(await _launcher.RequestsAsync(CancellationToken.None)).Id, CancellationToken.None);

        Assert.True(await provisioner.RunOnceAsync(CancellationToken.None));

        Assert.IsType<NodesFailedEvent>(Assert.Single(await EventsAsync()));
    }

    [Fact]
    public async Task The_watch_loop_answers_without_being_asked()
    {
        var provisioner = await ProvisionerAsync();
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => provisioner.RunAsync(stop.Token));
        await provisioner.RequestAsync(Tenant, Pipeline, Request("nr-1", 200, "debian"), CancellationToken.None);
        await FulfilAsync(Assert.Single(await _launcher.RequestsAsync(CancellationToken.None)));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await EventsAsync()).IsEmpty && !timeout.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);

        Assert.IsType<NodesProvisionedEvent>(Assert.Single(await EventsAsync()));
    }
}

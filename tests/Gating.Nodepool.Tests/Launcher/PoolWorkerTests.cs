using Gating.Model;
using Gating.Nodepool.Decisions;

namespace Gating.Nodepool.Tests.Launcher;

/// <summary>The launcher's request handling on the in-process store with a fake provider: fast, no I/O.</summary>
public sealed class PoolWorkerTests
{
    [Fact]
    public async Task Fulfils_a_request_and_the_returned_nodes_are_deleted()
    {
        await using var h = new LauncherHarness(LauncherHarness.SimpleConfig());
        var backend = new FakeBackend();
        h.Launcher("l1", new FakeNodeProvider("cloud", backend));
        var request = await h.SubmitAsync("small", "big");

        await h.PassAsync();

        var done = await h.RequestAsync(request.Id);
        Assert.Equal(NodeRequestState.Fulfilled, done.State);
        Assert.Equal(2, done.NodeIds.Length);
        var nodes = await Task.WhenAll(done.NodeIds.Select(h.NodeAsync));
        Assert.Equal(["small", "big"], nodes.Select(n => n.Labels.Single()));
        Assert.All(nodes, n => Assert.Equal((NodeState.Ready, request.Id, "tenant", "here"), (n.State, n.AllocatedTo!, n.TenantName!, n.Attributes["executor-zone"])));
        Assert.Equal(new NodeResources(1, 4, 0), nodes[1].Resources);

        var inUse = await h.AcceptAsync(done);
        await h.PassAsync();
        Assert.Equal(2, backend.Instances.Count); // locked in-use nodes are left alone
        await h.ReturnAsync(inUse);
        await h.PassAsync();
        Assert.Empty(backend.Instances);
        Assert.Empty(await h.Requestor.NodesAsync(default));
    }

    [Fact]
    public async Task Min_ready_keeps_ready_nodes_and_requests_reuse_them()
    {
        await using var h = new LauncherHarness(LauncherHarness.SimpleConfig(minReady: 2));
        var backend = new FakeBackend();
        h.Launcher("l1", new FakeNodeProvider("cloud", backend));

        await h.PassAsync();
        await h.PassAsync(); // min-ready requests are made, then fulfilled, then nothing more
        var ready = (await h.Requestor.NodesAsync(default)).Where(n => n is { State: NodeState.Ready, AllocatedTo: null }).ToList();
        Assert.Equal(2, ready.Count);
        Assert.Empty(await h.Requestor.RequestsAsync(default));
        Assert.Equal(2, backend.Attempts);

        var request = await h.SubmitAsync("small");
        await h.PassAsync();
        var done = await h.RequestAsync(request.Id);
        Assert.Equal(NodeRequestState.Fulfilled, done.State);
        Assert.Contains(done.NodeIds.Single(), ready.Select(n => n.Id)); // reused, not launched
        await h.PassAsync();
        await h.PassAsync();
        Assert.Equal(2, (await h.Requestor.NodesAsync(default)).Count(n => n is { State: NodeState.Ready, AllocatedTo: null }));
        Assert.Equal(3, backend.Attempts); // topped up with one launch
    }

    [Fact]
    public async Task Max_ready_age_deletes_stale_ready_nodes()
    {
        var config = LauncherHarness.SimpleConfig(minReady: 1);
        config = config with { Labels = [config.Labels[0] with { MaxReadyAge = TimeSpan.FromMinutes(10) }, config.Labels[1]] };
        await using var h = new LauncherHarness(config);
        var backend = new FakeBackend();
        h.Launcher("l1", new FakeNodeProvider("cloud", backend));
        await h.PassAsync();
        var first = Assert.Single(backend.Instances.Values);

        h.Time.Advance(TimeSpan.FromMinutes(11));
        await h.PassAsync(); // expired and deleted
        await h.PassAsync(); // replaced by min-ready
        var second = Assert.Single(backend.Instances.Values);
        Assert.NotEqual(first.NodeId, second.NodeId);
    }

    [Fact]
    public async Task Quota_defers_a_request_until_nodes_come_back()
    {
        await using var h = new LauncherHarness(LauncherHarness.SimpleConfig(maxServers: 1));
        h.Launcher("l1", new FakeNodeProvider("cloud", new FakeBackend()));
        var first = await h.SubmitAsync("small");
        var second = await h.SubmitAsync("small");
        await h.PassAsync();
        await h.PassAsync();
        Assert.Equal(NodeRequestState.Fulfilled, (await h.RequestAsync(first.Id)).State);
        var waiting = await h.RequestAsync(second.Id);
        Assert.Equal(NodeRequestState.Requested, waiting.State);
        Assert.Empty(waiting.DeclinedBy);

        var nodes = await h.AcceptAsync(await h.RequestAsync(first.Id));
        await h.ReturnAsync(nodes);
        await h.PassAsync(); // the used node is deleted
        await h.PassAsync(); // now the second fits
        Assert.Equal(NodeRequestState.Fulfilled, (await h.RequestAsync(second.Id)).State);
    }

    [Fact]
    public async Task Tenant_limit_defers_and_a_too_large_request_fails_when_every_pool_declined()
    {
        var config = LauncherHarness.SimpleConfig(maxServers: 3) with { TenantResourceLimits = [new("tenant") { MaxServers = 1 }] };
        await using var h = new LauncherHarness(config);
        h.Launcher("l1", new FakeNodeProvider("cloud", new FakeBackend()));
        var one = await h.SubmitAsync("small");
        var two = await h.SubmitAsync("small");
        var never = await h.SubmitForAsync("other", "small", "small", "small", "small");
        await h.PassAsync();

        Assert.Equal(NodeRequestState.Fulfilled, (await h.RequestAsync(one.Id)).State);
        Assert.Equal(NodeRequestState.Requested, (await h.RequestAsync(two.Id)).State);
        var failed = await h.RequestAsync(never.Id);
        Assert.Equal((NodeRequestState.Failed, "cloud-main"), (failed.State, failed.DeclinedBy.Single()));
        var outcome = NodeSetRequests.Completed(new NodeSet("four", [.. Enumerable.Range(0, 4).Select(i => new NodeSetNode($"n{i}", "small"))]), 0, failed);
        Assert.IsType<NodeSetOutcome.NodeFailure>(outcome);
    }

    [Fact]
    public async Task A_failing_launch_is_retried_then_the_request_is_declined_and_nothing_is_left()
    {
        await using var h = new LauncherHarness(LauncherHarness.SimpleConfig(launchRetries: 3));
        var backend = new FakeBackend { FailAttempt = attempt => attempt <= 2 };
        h.Launcher("l1", new FakeNodeProvider("cloud", backend));
        var lucky = await h.SubmitAsync("small");
        await h.PassAsync();
        Assert.Equal(NodeRequestState.Fulfilled, (await h.RequestAsync(lucky.Id)).State);
        Assert.Equal(3, backend.Attempts);

        backend.FailAttempt = _ => true;
        var doomed = await h.SubmitAsync("small");
        await h.PassAsync();
        var failed = await h.RequestAsync(doomed.Id);
        Assert.Equal(NodeRequestState.Failed, failed.State);
        Assert.Equal(["cloud-main"], failed.DeclinedBy.ToArray());
        Assert.Equal(6, backend.Attempts);
        await h.PassAsync();
        Assert.DoesNotContain(await h.Requestor.NodesAsync(default), n => n.State == NodeState.Failed);
        Assert.Single(backend.Instances); // only the lucky request's node
    }

    [Fact]
    public async Task A_full_cloud_releases_the_request_instead_of_failing_it()
    {
        await using var h = new LauncherHarness(LauncherHarness.SimpleConfig(maxServers: 10));
        var backend = new FakeBackend { MaxServers = 1 };
        h.Launcher("l1", new FakeNodeProvider("cloud", backend));
        var request = await h.SubmitAsync("small", "small");
        await h.PassAsync();
        var released = await h.RequestAsync(request.Id);
        Assert.Equal(NodeRequestState.Requested, released.State);
        Assert.Empty(released.DeclinedBy);
        backend.MaxServers = null;
        await h.PassAsync();
        var done = await h.RequestAsync(request.Id);
        Assert.Equal(NodeRequestState.Fulfilled, done.State);
        Assert.Equal(2, backend.Instances.Count); // the node made before the cloud was full was reused
    }

    [Fact]
    public async Task Two_launchers_share_the_work_and_each_request_is_handled_once()
    {
        await using var h = new LauncherHarness(LauncherHarness.SimpleConfig(maxServers: 20, maxConcurrency: 3));
        var backend = new FakeBackend { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var (a, _) = h.Launcher("l1", new FakeNodeProvider("cloud", backend));
        var (b, _) = h.Launcher("l2", new FakeNodeProvider("cloud", backend));
        var requests = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => h.SubmitAsync("small")));

        Assert.Equal(3, await a.AssignAsync(default)); // max-concurrency: a takes three and defers the rest
        Assert.Equal(3, await b.AssignAsync(default)); // b takes the other three
        backend.Gate.SetResult();
        await Task.WhenAll(a.IdleAsync(), b.IdleAsync());

        var done = await Task.WhenAll(requests.Select(r => h.RequestAsync(r.Id)));
        Assert.All(done, r => Assert.Equal(NodeRequestState.Fulfilled, r.State));
        var nodeIds = done.SelectMany(r => r.NodeIds).ToList();
        Assert.Equal(6, nodeIds.Distinct().Count());
        var launchers = (await h.Requestor.NodesAsync(default)).GroupBy(n => n.Launcher).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(3, launchers["l1"]);
        Assert.Equal(3, launchers["l2"]);
    }

    [Fact]
    public async Task A_launcher_killed_mid_request_leaves_nothing_and_another_finishes_the_request()
    {
        await using var h = new LauncherHarness(LauncherHarness.SimpleConfig());
        var backend = new FakeBackend { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var (dying, dyingSession) = h.Launcher("dying", new FakeNodeProvider("cloud", backend));
        var request = await h.SubmitAsync("small", "small");
        Assert.Equal(1, await dying.AssignAsync(default));
        await TestHosts.WaitForAsync(() => Task.FromResult(backend.Waiting == 2), "both launches to wait");
        Assert.Equal(NodeRequestState.Pending, (await h.RequestAsync(request.Id)).State);
        var orphans = backend.Instances.Keys.ToList();

        // The launcher dies: its session ends (locks gone) and its process stops.
        dyingSession.Expire();
        await dying.DisposeAsync();

        var (survivor, _) = h.Launcher("survivor", new FakeNodeProvider("cloud", backend));
        backend.Gate = FakeBackend.Open();
        await survivor.CleanupAsync(default); // orphaned building nodes deleted, request back to requested
        Assert.Equal(NodeRequestState.Requested, (await h.RequestAsync(request.Id)).State);
        Assert.All(orphans, o => Assert.False(backend.Instances.ContainsKey(o), $"{o} leaked"));
        await survivor.RunOnceAsync(default);
        await survivor.IdleAsync();

        var done = await h.RequestAsync(request.Id);
        Assert.Equal(NodeRequestState.Fulfilled, done.State);
        var nodes = await h.Requestor.NodesAsync(default);
        Assert.Equal(done.NodeIds.Order(), nodes.Select(n => n.Id).Order());
        Assert.All(nodes, n => Assert.Equal("survivor", n.Launcher));
        Assert.Equal(2, backend.Instances.Count);
    }

    [Fact]
    public async Task Leaked_instances_without_a_record_are_deleted()
    {
        await using var h = new LauncherHarness(LauncherHarness.SimpleConfig());
        var backend = new FakeBackend();
        backend.Instances["fake-ghost"] = new("fake-ghost", "0000009999");
        var (worker, _) = h.Launcher("l1", new FakeNodeProvider("cloud", backend));
        await worker.CleanupAsync(default);
        Assert.Empty(backend.Instances);
    }

    [Fact]
    public async Task A_vanished_requestor_gets_its_nodes_freed_for_reuse()
    {
        await using var h = new LauncherHarness(LauncherHarness.SimpleConfig());
        var backend = new FakeBackend { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var (worker, _) = h.Launcher("l1", new FakeNodeProvider("cloud", backend));
        var request = await h.SubmitAsync("small");
        await worker.AssignAsync(default);
        await h.Requestor.DeleteRequestAsync(request.Id, default); // the buildset was dequeued
        backend.Gate.SetResult();
        await worker.IdleAsync();
        var node = Assert.Single(await h.Requestor.NodesAsync(default));
        Assert.Equal((NodeState.Ready, null), (node.State, node.AllocatedTo));

        var next = await h.SubmitAsync("small");
        await h.PassAsync();
        Assert.Equal(node.Id, (await h.RequestAsync(next.Id)).NodeIds.Single());
    }

    [Fact]
    public async Task Autohold_keeps_a_failed_builds_nodes_until_the_operator_releases_them()
    {
        await using var h = new LauncherHarness(LauncherHarness.SimpleConfig());
        var backend = new FakeBackend();
        h.Launcher("l1", new FakeNodeProvider("cloud", backend));
        var request = await h.SubmitAsync("small");
        await h.PassAsync();
        var inUse = await h.AcceptAsync(await h.RequestAsync(request.Id));

        var hold = new NodeHoldRequest("0000000001", "tenant", "example.org/project", "unit", ".*", "debugging");
        var match = Autohold.Match([hold], "tenant", "example.org/project", "unit", "refs/heads/main", "FAILURE");
        Assert.NotNull(match);
        var (counted, held) = Autohold.Hold(match, "build-1", inUse, h.Time.GetUtcNow(), TimeSpan.FromHours(24), null);
        await h.ReturnAsync(held);
        await h.PassAsync();
        await h.PassAsync();
        Assert.Single(backend.Instances); // held: not deleted
        Assert.Equal(NodeState.Hold, (await h.NodeAsync(held[0].Id)).State);

        foreach (var node in Autohold.Release(counted, await h.Requestor.NodesAsync(default), h.Time.GetUtcNow()))
        {
            await h.Requestor.SaveNodeAsync(node, default);
        }

        await h.PassAsync();
        Assert.Empty(backend.Instances);
        Assert.Empty(await h.Requestor.NodesAsync(default));
    }
}

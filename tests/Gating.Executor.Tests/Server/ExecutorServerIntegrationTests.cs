using Gating.Coordination;
using Gating.Model;
using Gating.Model.Events;
using Gating.Model.Requests;

namespace Gating.Executor.Tests.Server;

/// <summary>Build requests through the real ZooKeeper to an executor server running real ansible-playbook over SSH.</summary>
public sealed class ExecutorServerIntegrationTests
{
    private const string Header = "- hosts: all\n  gather_facts: false\n  tasks:\n";

    [Fact]
    public async Task A_build_request_runs_over_ssh_and_its_events_arrive_on_the_pipeline_result_queue()
    {
        await using var fx = await ServerFixture.CreateAsync();
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            ["playbooks/run.yaml"] = Header + "    - shell: echo ran-on-$(hostname) > /tmp/{{ zuul.build }}-ran\n" +
                "    - zuul_return: {data: {answer: 42}}\n",
        });
        var nodeId = await fx.AddNodeAsync();
        await fx.StartExecutorAsync("exec-a");
        var parameters = ServerFixture.Parameters("hello", nodeId, ServerFixture.Playbook("playbooks/run.yaml"));

        await fx.SubmitAsync(parameters);
        var completed = await fx.WaitForEventAsync<BuildCompletedEvent>(e => e.BuildId == parameters.BuildId);

        Assert.Equal("SUCCESS", completed.Result);
        Assert.Equal("event-" + parameters.BuildId[..6], completed.EventId);
        Assert.Contains(completed.Data!.Entries, e => e.Key == "answer");
        var events = await fx.EventsAsync();
        Assert.Equal([typeof(BuildStartedEvent), typeof(BuildCompletedEvent)], events.Select(e => e.GetType()));
        Assert.True(File.Exists($"/tmp/{parameters.BuildId}-ran"));
        var request = await fx.Builds.GetAsync(parameters.BuildId, CancellationToken.None);
        Assert.Equal(JobRequestState.Completed, request!.State);
        Assert.Equal("exec-a", request.WorkerInfo?.Hostname);
        // The node was used and given back: state used, unlocked.
        var node = await fx.ReadNodeAsync(nodeId);
        Assert.Equal(NodeState.Used, node.State);
        Assert.False(await ZkLock.IsLockedAsync(fx.Zk, ZkPaths.NodeLock(nodeId), CancellationToken.None));
    }

    [Fact]
    public async Task A_cancel_while_running_aborts_the_build_and_completes_it_aborted()
    {
        await using var fx = await ServerFixture.CreateAsync();
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            ["playbooks/run.yaml"] = Header + "    - shell: touch /tmp/{{ zuul.build }}-running; sleep 120\n",
        });
        var nodeId = await fx.AddNodeAsync();
        await fx.StartExecutorAsync("exec-a");
        var parameters = ServerFixture.Parameters("slow", nodeId, ServerFixture.Playbook("playbooks/run.yaml"));
        await fx.SubmitAsync(parameters);
        await ServerFixture.WaitUntilAsync(() => Task.FromResult(File.Exists($"/tmp/{parameters.BuildId}-running")));
        var started = DateTimeOffset.UtcNow;

        Assert.Equal(CancelOutcome.Signalled, await fx.Builds.CancelAsync(parameters.BuildId, CancellationToken.None));
        var completed = await fx.WaitForEventAsync<BuildCompletedEvent>(e => e.BuildId == parameters.BuildId);

        Assert.Equal("ABORTED", completed.Result);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(60), "the cancel did not stop the running task");
        Assert.Equal(JobRequestState.Completed, (await fx.Builds.GetAsync(parameters.BuildId, CancellationToken.None))!.State);
        Assert.Equal(NodeState.Used, (await fx.ReadNodeAsync(nodeId)).State);
    }

    [Fact]
    public async Task A_paused_build_waits_for_the_resume_signal_before_its_post_run()
    {
        await using var fx = await ServerFixture.CreateAsync();
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            ["playbooks/run.yaml"] = Header + "    - zuul_return: {data: {registry: 'http://127.0.0.1:23600', zuul: {pause: true}}}\n",
            ["playbooks/post.yaml"] = Header + "    - shell: touch /tmp/{{ zuul.build }}-post\n",
        });
        var nodeId = await fx.AddNodeAsync();
        await fx.StartExecutorAsync("exec-a");
        var parameters = ServerFixture.Parameters("pauser", nodeId, ServerFixture.Playbook("playbooks/run.yaml")) with
        {
            PostRun = [ServerFixture.Playbook("playbooks/post.yaml")],
        };
        await fx.SubmitAsync(parameters);

        var paused = await fx.WaitForEventAsync<BuildPausedEvent>(e => e.BuildId == parameters.BuildId);
        Assert.Contains(paused.Data.Entries, e => e.Key == "registry");
        await ServerFixture.WaitUntilAsync(async () =>
            (await fx.Builds.GetAsync(parameters.BuildId, CancellationToken.None))!.State == JobRequestState.Paused);
        Assert.False(File.Exists($"/tmp/{parameters.BuildId}-post"), "post-run ran before the resume");
        Assert.DoesNotContain(await fx.EventsAsync(), e => e is BuildCompletedEvent);

        Assert.True(await fx.Builds.SignalAsync(parameters.BuildId, JobSignal.Resume, CancellationToken.None));
        var completed = await fx.WaitForEventAsync<BuildCompletedEvent>(e => e.BuildId == parameters.BuildId);

        Assert.Equal("SUCCESS", completed.Result);
        Assert.True(File.Exists($"/tmp/{parameters.BuildId}-post"));
        Assert.Equal([typeof(BuildStartedEvent), typeof(BuildPausedEvent), typeof(BuildCompletedEvent)], (await fx.EventsAsync()).Select(e => e.GetType()));
    }

    [Fact]
    public async Task A_pre_run_failure_completes_with_a_null_result_and_a_missing_node_too()
    {
        await using var fx = await ServerFixture.CreateAsync();
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            ["playbooks/pre.yaml"] = Header + "    - fail: {msg: the node is broken}\n",
            ["playbooks/run.yaml"] = Header + "    - debug: {msg: never}\n",
        });
        var nodeId = await fx.AddNodeAsync();
        await fx.StartExecutorAsync("exec-a");
        var failing = ServerFixture.Parameters("pre-fails", nodeId, ServerFixture.Playbook("playbooks/run.yaml")) with
        {
            PreRun = [ServerFixture.Playbook("playbooks/pre.yaml")],
        };
        var noNode = ServerFixture.Parameters("no-node", "9999999999", ServerFixture.Playbook("playbooks/run.yaml"));

        await fx.SubmitAsync(failing);
        await fx.SubmitAsync(noNode);
        var retried = await fx.WaitForEventAsync<BuildCompletedEvent>(e => e.BuildId == failing.BuildId);
        var missing = await fx.WaitForEventAsync<BuildCompletedEvent>(e => e.BuildId == noNode.BuildId);

        Assert.Null(retried.Result);
        Assert.Contains("pre.yaml", retried.ErrorDetail, StringComparison.Ordinal);
        Assert.Null(missing.Result);
        Assert.Contains("9999999999", missing.ErrorDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Builds_start_in_precedence_order_and_only_from_the_served_zones()
    {
        await using var fx = await ServerFixture.CreateAsync();
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string> { ["README"] = "x\n" });
        var low = ServerFixture.Parameters("low", null);
        var high = ServerFixture.Parameters("high", null);
        var zoned = ServerFixture.Parameters("zoned", null);
        var otherZone = ServerFixture.Parameters("other-zone", null);
        await fx.SubmitAsync(low, JobPrecedence.Low);
        await fx.SubmitAsync(zoned, JobPrecedence.Normal, zone: "east");
        await fx.SubmitAsync(otherZone, JobPrecedence.High, zone: "west");
        await fx.SubmitAsync(high, JobPrecedence.High);

        await fx.StartExecutorAsync("exec-east", o => o with { Zone = "east", AllowUnzoned = true, Governor = o.Governor with { MaxBuilds = 1 } });
        await fx.WaitForEventAsync<BuildCompletedEvent>(e => e.BuildId == low.BuildId);

        var started = (await fx.EventsAsync()).OfType<BuildStartedEvent>().Select(e => e.BuildId).ToList();
        Assert.Equal([high.BuildId, zoned.BuildId, low.BuildId], started);
        var west = await new JobRequestQueue<BuildRequestData>(fx.Zk, ZkPaths.ExecutorQueue("west")).GetAsync(otherZone.BuildId, CancellationToken.None);
        Assert.Equal(JobRequestState.Requested, west!.State);
    }
}

using Gating.Coordination.Tests.Infrastructure;
using Gating.ZooKeeper;

namespace Gating.Coordination.Tests.Requests;

/// <summary>The executor/merger job request queue, requestor and worker sides, on both backends.</summary>
public abstract partial class JobRequestQueueContractTests<TBackend> : CoordinationTestBase<TBackend>
    where TBackend : ZooKeeperBackend, new()
{
    protected static readonly string QueueRoot = ZkPaths.ExecutorQueue(null);

    public sealed record BuildData(string JobName, string Pipeline);

    protected static JobRequest<BuildData> Build(string uuid, int precedence = JobPrecedence.Normal) =>
        new() { Uuid = uuid, Precedence = precedence, Data = new BuildData("tox-py312", "gate") };

    protected async Task<JobRequestQueue<BuildData>> QueueAsync() => new(await SessionAsync(), QueueRoot, Time);

    [Fact]
    public async Task Workers_take_requests_by_precedence_then_creation_and_never_the_same_one()
    {
        var scheduler = await QueueAsync();
        await scheduler.SubmitAsync(Build("a"), default, false, Ct);
        await scheduler.SubmitAsync(Build("b", JobPrecedence.Low), default, false, Ct);
        await scheduler.SubmitAsync(Build("c", JobPrecedence.High), default, false, Ct);
        await scheduler.SubmitAsync(Build("d"), default, false, Ct);
        Assert.Equal(["c", "a", "d", "b"], (await scheduler.GetRequestsAsync(Ct)).Select(r => r.Uuid));

        var worker1 = await QueueAsync();
        var worker2 = await QueueAsync();
        var taken = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            taken.Add((await worker1.NextAvailableAsync(null, Ct))!.Uuid);
            taken.Add((await worker2.NextAvailableAsync(null, Ct))!.Uuid);
        }

        Assert.Equal(["c", "a", "d", "b"], taken);
        Assert.Null(await worker1.NextAvailableAsync(null, Ct));
        Assert.Equal("x", (await scheduler.SubmitAsync(Build("x"), default, false, Ct)).Uuid);
        Assert.Null(await worker2.NextAvailableAsync(r => r.Data.Pipeline != "gate", Ct));
    }

    [Fact]
    public async Task A_request_runs_from_submit_to_result_and_leaves_nothing_after_removal()
    {
        var scheduler = await QueueAsync();
        var worker = await QueueAsync();
        await scheduler.SubmitAsync(Build("m1"), Bytes("{\"repo\":\"org/project\"}"), waitForResult: true, Ct);
        var waiting = scheduler.WaitForResultAsync("m1", Ct);

        await using var locked = (await worker.NextAvailableAsync(null, Ct))!;
        Assert.Equal("{\"repo\":\"org/project\"}", Text(await worker.ReadParamsAsync(locked.Uuid, Ct)));
        var running = await worker.MarkRunningAsync(locked, new JobWorker("executor-1", 7900), Ct);
        Assert.Equal(JobRequestState.Running, running.State);
        Assert.Equal(new JobWorker("executor-1", 7900), (await scheduler.GetAsync("m1", Ct))!.WorkerInfo);
        Assert.Empty(await worker.ReadParamsAsync("m1", Ct)); // deleted once read
        Assert.False(waiting.IsCompleted);

        await worker.CompleteAsync(locked, Bytes("{\"merged\":true}"), [], Ct);

        Assert.Equal("{\"merged\":true}", Text((await Within(waiting, "the result"))!));
        Assert.Equal(JobRequestState.Completed, (await scheduler.GetAsync("m1", Ct))!.State);
        Assert.True(locked.Lock.IsReleased);
        await scheduler.RemoveAsync("m1", Ct);
        Assert.Empty(await scheduler.GetRequestsAsync(Ct));
        Assert.Equal(1, await scheduler.CleanupLocksAsync(Ct));
        var zk = await SessionAsync();
        foreach (var dir in new[] { "requests", "params", "results", "result-data", "waiters", "locks" })
        {
            Assert.Empty(await zk.TryGetChildrenAsync($"{QueueRoot}/{dir}", Ct));
        }
    }

    [Fact]
    public async Task The_completion_event_is_written_in_the_same_transaction_as_the_state()
    {
        var worker = await QueueAsync();
        var events = new EventQueue(await SessionAsync(), ZkPaths.PipelineResultEvents("t", "check"));
        await events.EnsureAsync(Ct);
        await worker.SubmitAsync(Build("b1"), default, false, Ct);
        var locked = (await worker.NextAvailableAsync(null, Ct))!;
        await worker.MarkRunningAsync(locked, new JobWorker("executor-1"), Ct);

        await worker.CompleteAsync(locked, default, [events.PutOp(Bytes("{\"build\":\"b1\",\"result\":\"SUCCESS\"}"))], Ct);

        Assert.Equal("{\"build\":\"b1\",\"result\":\"SUCCESS\"}", Text(Assert.Single(await events.ReadAsync(Ct)).Payload));
    }

    [Fact]
    public async Task Cancelling_a_request_nobody_took_completes_it_without_running()
    {
        var scheduler = await QueueAsync();
        await scheduler.SubmitAsync(Build("c1"), default, waitForResult: true, Ct);

        Assert.Equal(CancelOutcome.CompletedBeforeStart, await scheduler.CancelAsync("c1", Ct));

        Assert.Equal(JobRequestState.Completed, (await scheduler.GetAsync("c1", Ct))!.State);
        Assert.Empty((await scheduler.WaitForResultAsync("c1", Ct))!);
        Assert.Null(await (await QueueAsync()).NextAvailableAsync(null, Ct));
        Assert.Equal(CancelOutcome.NotFound, await scheduler.CancelAsync("c1", Ct));
        Assert.Equal(CancelOutcome.NotFound, await scheduler.CancelAsync("nothing", Ct));
    }

    [Fact]
    public async Task Cancelling_a_running_request_signals_its_worker()
    {
        var scheduler = await QueueAsync();
        var worker = await QueueAsync();
        await scheduler.SubmitAsync(Build("c2"), default, false, Ct);
        var locked = (await worker.NextAvailableAsync(null, Ct))!;
        await worker.MarkRunningAsync(locked, new JobWorker("executor-1"), Ct);
        var cancelled = worker.WaitForSignalAsync("c2", JobSignal.Cancel, Ct);
        Assert.False(await worker.IsSignalledAsync("c2", JobSignal.Cancel, Ct));

        Assert.Equal(CancelOutcome.Signalled, await scheduler.CancelAsync("c2", Ct));

        await Within(cancelled, "the worker to see the cancel signal");
        Assert.True(await worker.IsSignalledAsync("c2", JobSignal.Cancel, Ct));
        Assert.Equal(JobRequestState.Running, (await scheduler.GetAsync("c2", Ct))!.State); // the worker completes it
        await worker.CompleteAsync(locked, default, [], Ct);
        await scheduler.RemoveAsync("c2", Ct);
        Assert.Null(await scheduler.GetAsync("c2", Ct));
    }

    [Fact]
    public async Task A_paused_build_resumes_on_the_signal_and_consumes_it()
    {
        var scheduler = await QueueAsync();
        var worker = await QueueAsync();
        await scheduler.SubmitAsync(Build("p1"), default, false, Ct);
        var locked = (await worker.NextAvailableAsync(null, Ct))!;
        await worker.MarkRunningAsync(locked, new JobWorker("executor-1"), Ct);
        await worker.PauseAsync(locked, Ct);
        Assert.Equal(JobRequestState.Paused, (await scheduler.GetAsync("p1", Ct))!.State);
        var resumed = worker.WaitForSignalAsync("p1", JobSignal.Resume, Ct);

        Assert.True(await scheduler.SignalAsync("p1", JobSignal.Resume, Ct));
        await Within(resumed, "the resume signal");
        await worker.ResumeAsync(locked, Ct);

        Assert.Equal(JobRequestState.Running, (await scheduler.GetAsync("p1", Ct))!.State);
        Assert.False(await worker.IsSignalledAsync("p1", JobSignal.Resume, Ct));
        Assert.False(await scheduler.SignalAsync("gone", JobSignal.Resume, Ct));
        await locked.DisposeAsync();
    }
}

public sealed class JobRequestQueueTests : JobRequestQueueContractTests<EmbeddedBackend>;

public sealed class JobRequestQueueIntegrationTests : JobRequestQueueContractTests<RealBackend>;

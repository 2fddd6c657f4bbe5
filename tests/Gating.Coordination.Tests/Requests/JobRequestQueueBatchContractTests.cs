using Gating.Coordination.Tests.Infrastructure;
using Gating.ZooKeeper;

namespace Gating.Coordination.Tests.Requests;

/// <summary>The job request queue's batch operations (submit, signal, cancel, remove many), on both backends.</summary>
public abstract class JobRequestQueueBatchContractTests<TBackend> : CoordinationTestBase<TBackend>
    where TBackend : ZooKeeperBackend, new()
{
    private static readonly string QueueRoot = ZkPaths.ExecutorQueue(null);

    public sealed record BuildData(string JobName, string Pipeline);

    private static JobRequest<BuildData> Build(string uuid, int precedence = JobPrecedence.Normal) =>
        new() { Uuid = uuid, Precedence = precedence, Data = new BuildData("tox-py312", "gate") };

    private async Task<JobRequestQueue<BuildData>> QueueAsync() => new(await SessionAsync(), QueueRoot, Time);

    private static JobSubmission<BuildData> Submission(string uuid, string parameters, int precedence = JobPrecedence.Normal) =>
        new(Build(uuid, precedence), Bytes(parameters));

    [Fact]
    public async Task Submitting_many_creates_each_request_with_its_parameters_in_the_order_given()
    {
        var scheduler = await QueueAsync();
        var worker = await QueueAsync();
        IReadOnlyList<JobSubmission<BuildData>> batch =
        [
            Submission("z1", "{\"n\":1}"), Submission("a2", "{\"n\":2}"), Submission("m3", "{\"n\":3}", JobPrecedence.High),
            Submission("b4", "{\"n\":4}"), new(Build("c5"), default),
        ];

        Assert.Equal([true, true, true, true, true], await scheduler.SubmitManyAsync(batch, Ct));

        // One transaction: the requests share a creation zxid, and their given order breaks the tie.
        var requests = await scheduler.GetRequestsAsync(Ct);
        Assert.Equal(["m3", "z1", "a2", "b4", "c5"], requests.Select(r => r.Uuid));
        Assert.Single(requests.Select(r => r.Czxid).Distinct());
        Assert.All(requests, r => Assert.Equal(JobRequestState.Requested, r.State));
        Assert.Equal("{\"n\":2}", Text(await worker.ReadParamsAsync("a2", Ct)));
        Assert.Empty(await worker.ReadParamsAsync("c5", Ct));
        var taken = new List<string>();
        while (await worker.NextAvailableAsync(null, Ct) is { } locked)
        {
            taken.Add(locked.Uuid);
            await worker.MarkRunningAsync(locked, new JobWorker("w"), Ct);
        }
        Assert.Equal(["m3", "z1", "a2", "b4", "c5"], taken);
    }

    [Fact]
    public async Task Submitting_the_same_batch_again_after_a_crash_creates_only_what_is_missing()
    {
        var scheduler = await QueueAsync();
        var zk = await SessionAsync();
        await scheduler.SubmitManyAsync([Submission("r1", "{\"n\":1}"), Submission("r2", "{\"n\":2}")], Ct);
        var worker = await QueueAsync();
        await using (var locked = (await worker.NextAvailableAsync(null, Ct))!)
        {
            await worker.MarkRunningAsync(locked, new JobWorker("w"), Ct); // r1 runs: its parameters are gone
        }
        // A crash of the old submit between the parameters and the request left parameters without a request.
        await new ShardedBlob(zk).WriteAsync(scheduler.ParamsPath("r3"), Bytes("{\"stale\":true}"), ZooKeeperVersion.Any, Ct);

        var again = await scheduler.SubmitManyAsync([Submission("r1", "{\"n\":1}"), Submission("r2", "{\"n\":2}"), Submission("r3", "{\"n\":3}")], Ct);

        Assert.Equal([false, false, true], again);
        Assert.Equal(JobRequestState.Running, (await scheduler.GetAsync("r1", Ct))!.State);
        Assert.Empty(await worker.ReadParamsAsync("r1", Ct));
        Assert.Equal("{\"n\":2}", Text(await worker.ReadParamsAsync("r2", Ct)));
        Assert.Equal("{\"n\":3}", Text(await worker.ReadParamsAsync("r3", Ct)));
        Assert.Equal(["r1", "r2", "r3"], (await scheduler.GetRequestsAsync(Ct)).Select(r => r.Uuid).Order());
    }

    [Fact]
    public async Task Large_batches_split_into_several_multis_and_large_parameters_go_alone()
    {
        var scheduler = await QueueAsync();
        var worker = await QueueAsync();
        var random = new Random(7);
        var parameters = Enumerable.Range(0, 6).Select(_ => Noise(random, 400_000)).ToList();
        parameters.Add(Noise(random, 2_500_000)); // more than one shard: written the single way
        var batch = parameters.Select((p, i) => new JobSubmission<BuildData>(Build($"big{i}"), p)).ToList();

        Assert.All(await scheduler.SubmitManyAsync(batch, Ct), Assert.True);

        Assert.True((await scheduler.GetRequestsAsync(Ct)).Select(r => r.Czxid).Distinct().Count() >= 3);
        for (var i = 0; i < batch.Count; i++)
        {
            Assert.Equal(parameters[i], await worker.ReadParamsAsync($"big{i}", Ct));
        }
    }

    [Fact]
    public async Task Cancelling_many_removes_unstarted_requests_signals_running_ones_and_changes_nothing_when_repeated()
    {
        var scheduler = await QueueAsync();
        var worker = await QueueAsync();
        var zk = await SessionAsync();
        await scheduler.SubmitManyAsync([Submission("run", "{}"), Submission("new", "{\"p\":1}"), Submission("done", "{}"), Submission("touched", "{}")], Ct);
        var running = (await worker.NextAvailableAsync(r => r.Uuid == "run", Ct))!;
        await worker.MarkRunningAsync(running, new JobWorker("w"), Ct);
        await using (var finished = (await worker.NextAvailableAsync(r => r.Uuid == "done", Ct))!)
        {
            await worker.MarkRunningAsync(finished, new JobWorker("w"), Ct);
            await worker.CompleteAsync(finished, default, [], Ct);
        }
        // A worker looked at this one and let it go: its lock node stays, so it goes the locking way.
        await (await worker.TryLockAsync("touched", Ct))!.DisposeAsync();
        string[] uuids = ["run", "new", "done", "touched", "never"];

        var outcomes = await scheduler.CancelManyAsync(uuids, Ct);

        Assert.Equal([CancelOutcome.Signalled, CancelOutcome.CompletedBeforeStart, CancelOutcome.NotFound, CancelOutcome.CompletedBeforeStart, CancelOutcome.NotFound], outcomes);
        Assert.True(await worker.IsSignalledAsync("run", JobSignal.Cancel, Ct));
        Assert.Equal(JobRequestState.Running, (await scheduler.GetAsync("run", Ct))!.State);
        foreach (var gone in new[] { "new", "touched" })
        {
            Assert.Null(await scheduler.GetAsync(gone, Ct));
            Assert.Null(await zk.ExistsAsync(scheduler.ParamsPath(gone), null, Ct));
            Assert.Null(await zk.ExistsAsync(scheduler.ResultPath(gone), null, Ct));
        }
        Assert.Null(await zk.ExistsAsync(scheduler.LockPath("new"), null, Ct)); // the multi's lock node never shows

        // Carried out again (a crash before the outbox was cleared): the same answers, and no write at all.
        string[] watched = [$"{QueueRoot}/requests", $"{QueueRoot}/params", $"{QueueRoot}/locks", $"{QueueRoot}/results", scheduler.RequestPath("run")];
        var before = await Task.WhenAll(watched.Select(p => zk.ExistsAsync(p, null, Ct)));
        Assert.Equal([CancelOutcome.Signalled, CancelOutcome.NotFound, CancelOutcome.NotFound, CancelOutcome.NotFound, CancelOutcome.NotFound],
            await scheduler.CancelManyAsync(uuids, Ct));
        Assert.Equal(before, await Task.WhenAll(watched.Select(p => zk.ExistsAsync(p, null, Ct))));
        Assert.Single((await zk.GetChildrenAsync(scheduler.RequestPath("run"), null, Ct)).Children);
        await running.DisposeAsync();
    }

    [Fact]
    public async Task A_cancel_racing_a_worker_that_holds_the_lock_signals_instead_of_removing()
    {
        var scheduler = await QueueAsync();
        var worker = await QueueAsync();
        await scheduler.SubmitManyAsync([Submission("r", "{\"p\":1}")], Ct);
        // The worker has locked it and re-checked it is requested, but not marked it running yet.
        var locked = (await worker.NextAvailableAsync(null, Ct))!;

        Assert.Equal([CancelOutcome.Signalled], await scheduler.CancelManyAsync(["r"], Ct));

        Assert.Equal("{\"p\":1}", Text(await worker.ReadParamsAsync("r", Ct)));
        await worker.MarkRunningAsync(locked, new JobWorker("w"), Ct);
        Assert.True(await worker.IsSignalledAsync("r", JobSignal.Cancel, Ct));
        await locked.DisposeAsync();
    }

    [Fact]
    public async Task Cancels_and_a_worker_taking_requests_at_the_same_time_never_both_win()
    {
        var scheduler = await QueueAsync();
        var worker = await QueueAsync();
        var uuids = Enumerable.Range(0, 40).Select(i => $"q{i:D2}").ToList();
        await scheduler.SubmitManyAsync(uuids.Select(u => Submission(u, "{\"p\":1}")).ToList(), Ct);
        var started = new List<string>();
        var cancelDone = new TaskCompletionSource();
        var working = Task.Run(async () =>
        {
            while (true)
            {
                var stop = cancelDone.Task.IsCompleted;
                if (await worker.NextAvailableAsync(null, Ct) is { } locked)
                {
                    Assert.NotEmpty(await worker.ReadParamsAsync(locked.Uuid, Ct)); // never a request without parameters
                    await worker.MarkRunningAsync(locked, new JobWorker("w"), Ct);
                    started.Add(locked.Uuid);
                    continue; // holds the lock, as a running build does
                }
                if (stop)
                {
                    return;
                }
                await Task.Yield();
            }
        });

        var outcomes = await scheduler.CancelManyAsync(uuids, Ct);
        cancelDone.SetResult();
        await Within(working, "the worker");

        for (var i = 0; i < uuids.Count; i++)
        {
            var request = await scheduler.GetAsync(uuids[i], Ct);
            if (outcomes[i] == CancelOutcome.CompletedBeforeStart)
            {
                Assert.DoesNotContain(uuids[i], started);
                Assert.Null(request);
            }
            else
            {
                Assert.Equal(CancelOutcome.Signalled, outcomes[i]);
                Assert.Contains(uuids[i], started);
                Assert.True(await worker.IsSignalledAsync(uuids[i], JobSignal.Cancel, Ct));
            }
        }
        Assert.Equal(started.Order(), uuids.Where((_, i) => outcomes[i] == CancelOutcome.Signalled).Order());
    }

    [Fact]
    public async Task Signalling_many_sends_each_signal_once_and_reports_the_missing()
    {
        var scheduler = await QueueAsync();
        await scheduler.SubmitManyAsync([Submission("s1", "{}"), Submission("s2", "{}")], Ct);

        Assert.Equal([true, false, true], await scheduler.SignalManyAsync(["s1", "gone", "s2"], JobSignal.Resume, Ct));
        Assert.Equal([true, true], await scheduler.SignalManyAsync(["s2", "s1"], JobSignal.Resume, Ct));

        Assert.True(await scheduler.IsSignalledAsync("s1", JobSignal.Resume, Ct));
        Assert.True(await scheduler.IsSignalledAsync("s2", JobSignal.Resume, Ct));
    }

    [Fact]
    public async Task Removing_many_deletes_every_node_of_finished_requests_even_a_stray_generation()
    {
        var scheduler = await QueueAsync();
        var worker = await QueueAsync();
        var zk = await SessionAsync();
        await scheduler.SubmitAsync(Build("w1"), Bytes("{\"p\":1}"), waitForResult: true, Ct);
        await scheduler.SubmitManyAsync([Submission("w2", "{\"p\":2}"), Submission("w3", "{\"p\":3}")], Ct);
        await scheduler.SignalManyAsync(["w2"], JobSignal.Cancel, Ct);
        var completions = new List<JobCompletion<BuildData>>();
        foreach (var locked in await worker.LockAvailableAsync(r => r.Uuid != "w3", 10, Ct))
        {
            await worker.MarkRunningAsync(locked, new JobWorker("w"), Ct);
            completions.Add(new JobCompletion<BuildData>(locked, Bytes($"{{\"result\":\"{locked.Uuid}\"}}"), []));
        }
        Assert.Equal(2, (await worker.CompleteManyAsync(completions, Ct)).Count(r => r?.State == JobRequestState.Completed));
        Assert.Equal("{\"result\":\"w1\"}", Text((await scheduler.WaitForResultAsync("w1", Ct))!));
        await zk.CreateAsync(scheduler.ParamsPath("w3") + "/g-stray", default, CreateOptions.Persistent, Ct); // a crashed writer's leftover

        await scheduler.RemoveManyAsync(["w1", "w2", "w3", "never"], Ct);
        await scheduler.RemoveManyAsync(["w1", "w2", "w3"], Ct);

        Assert.Empty(await scheduler.GetRequestsAsync(Ct));
        foreach (var dir in new[] { "requests", "params", "results", "result-data", "waiters" })
        {
            Assert.Empty(await zk.TryGetChildrenAsync($"{QueueRoot}/{dir}", Ct));
        }
    }

    private static byte[] Noise(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}

public sealed class JobRequestQueueBatchTests : JobRequestQueueBatchContractTests<EmbeddedBackend>;

public sealed class JobRequestQueueBatchIntegrationTests : JobRequestQueueBatchContractTests<RealBackend>;

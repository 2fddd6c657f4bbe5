using Gating.Coordination.Tests.Infrastructure;
using Gating.ZooKeeper;

namespace Gating.Coordination.Tests.Requests;

/// <summary>Dead workers, lost locks, and watching for work.</summary>
public abstract partial class JobRequestQueueContractTests<TBackend>
{
    [Fact]
    public async Task A_dead_workers_request_becomes_an_orphan_that_is_requeued_and_run_elsewhere()
    {
        var scheduler = await QueueAsync();
        var deadSession = await SessionAsync();
        var dead = new JobRequestQueue<BuildData>(deadSession, QueueRoot, Time);
        await scheduler.SubmitAsync(Build("o1"), default, false, Ct);
        var locked = (await dead.NextAvailableAsync(null, Ct))!;
        await dead.MarkRunningAsync(locked, new JobWorker("executor-dead"), Ct);
        Assert.Empty(await scheduler.GetOrphansAsync(Ct));

        await Backend.EndSessionAsync(deadSession, Ct);

        await Within(Task.Delay(Timeout.Infinite, locked.Lock.LostToken).ContinueWith(_ => { }, TaskScheduler.Default), "the worker to be told");
        await Assert.ThrowsAsync<LockLostException>(() => dead.CompleteAsync(locked, default, [], Ct));
        var orphan = Assert.Single(await scheduler.GetOrphansAsync(Ct));
        Assert.Equal("o1", orphan.Uuid);
        await using (var owner = (await scheduler.TryLockAsync("o1", Ct))!)
        {
            await scheduler.RequeueAsync(owner, Ct);
        }
        var worker = await QueueAsync();
        await using var retry = (await worker.NextAvailableAsync(null, Ct))!;
        Assert.Equal("o1", retry.Uuid);
        Assert.Null(retry.Request.WorkerInfo);
    }

    [Fact]
    public async Task A_worker_whose_lock_node_vanished_cannot_write_the_request()
    {
        var worker = await QueueAsync();
        var admin = await SessionAsync();
        await worker.SubmitAsync(Build("l1"), default, false, Ct);
        var locked = (await worker.NextAvailableAsync(null, Ct))!;
        await admin.DeleteAsync(locked.Lock.NodePath, ZooKeeperVersion.Any, Ct);

        await Assert.ThrowsAsync<LockLostException>(() => worker.MarkRunningAsync(locked, new JobWorker("w"), Ct));

        Assert.Equal(JobRequestState.Requested, (await worker.GetAsync("l1", Ct))!.State);
    }

    [Fact]
    public async Task A_worker_update_retries_over_a_concurrent_change_of_the_request()
    {
        var worker = await QueueAsync();
        var zk = await SessionAsync();
        await worker.SubmitAsync(Build("v1"), default, false, Ct);
        var locked = (await worker.NextAvailableAsync(null, Ct))!;
        var path = worker.RequestPath("v1");
        var node = await zk.GetDataAsync(path, null, Ct);
        await zk.SetDataAsync(path, Bytes(Text(node.Data).Replace("\"precedence\":200", "\"precedence\":100", StringComparison.Ordinal)), node.Stat.Version, Ct);

        var running = await worker.MarkRunningAsync(locked, new JobWorker("w"), Ct);

        Assert.Equal(JobPrecedence.High, running.Precedence); // re-read, then changed again
        Assert.Equal(JobRequestState.Running, (await worker.GetAsync("v1", Ct))!.State);
        await locked.DisposeAsync();
    }

    [Fact]
    public async Task A_watching_worker_hears_of_new_work_and_stops_hearing_once_disposed()
    {
        var worker = await QueueAsync();
        var scheduler = await QueueAsync();
        var changes = 0;
        var watch = await worker.WatchAsync(() => Interlocked.Increment(ref changes), Ct);

        await scheduler.SubmitAsync(Build("w1"), default, false, Ct);
        await EventuallyAsync(() => Volatile.Read(ref changes) > 0, "the worker to hear of the request");

        await watch.DisposeAsync();
        var before = Volatile.Read(ref changes);
        await scheduler.SubmitAsync(Build("w2"), default, false, Ct);
        // Fence: a later change seen through a fresh watch proves the disposed one had its chance.
        var fence = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await worker.WatchAsync(() => fence.TrySetResult(), Ct))
        {
            await scheduler.SubmitAsync(Build("w3"), default, false, Ct);
            await Within(fence.Task, "the fence");
        }
        Assert.Equal(before, Volatile.Read(ref changes));
    }

    [Fact]
    public async Task A_requestor_waiting_for_a_result_learns_when_the_request_is_removed_without_one()
    {
        var scheduler = await QueueAsync();
        await scheduler.SubmitAsync(Build("r1"), default, waitForResult: true, Ct);
        var waiting = scheduler.WaitForResultAsync("r1", Ct);
        await (await QueueAsync()).RemoveAsync("r1", Ct);
        Assert.Null(await Within(waiting, "the waiter to learn the request is gone"));
    }
}

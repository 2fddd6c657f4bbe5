using Gating.Coordination.Tests.Infrastructure;
using Gating.ZooKeeper;
using Microsoft.Extensions.Time.Testing;

namespace Gating.Coordination.Tests.Locks;

/// <summary>The lock recipe, run against the embedded store and against a real server.</summary>
public abstract class ZkLockContractTests<TBackend> : CoordinationTestBase<TBackend>
    where TBackend : ZooKeeperBackend, new()
{
    private const string LockPath = "/locks/pipeline/t/check";

    [Fact]
    public async Task Try_lock_takes_a_free_lock_and_fails_without_a_trace_while_it_is_held()
    {
        var a = await SessionAsync();
        var b = await SessionAsync();
        await using var held = await ZkLock.Exclusive(a, LockPath, Time, Bytes("a")).TryAcquireAsync(Ct);
        Assert.NotNull(held);
        Assert.Equal(LockPath, held.LockPath);
        Assert.StartsWith(LockPath + "/", held.NodePath, StringComparison.Ordinal);
        Assert.True(held.Czxid > 0);

        Assert.Null(await ZkLock.Exclusive(b, LockPath, Time).TryAcquireAsync(Ct));
        var contenders = await ZkLock.GetContendersAsync(b, LockPath, Ct);
        Assert.Equal("a", Text(Assert.Single(contenders).Identifier));
        Assert.Equal(a.SessionId, contenders[0].SessionId);
        Assert.True(await ZkLock.IsLockedAsync(b, LockPath, Ct));

        await held.ReleaseAsync(Ct);
        Assert.False(await ZkLock.IsLockedAsync(b, LockPath, Ct));
        await using var second = await ZkLock.Exclusive(b, LockPath, Time).TryAcquireAsync(Ct);
        Assert.NotNull(second);
    }

    [Fact]
    public async Task A_lock_guarding_an_owner_is_taken_only_while_the_owner_exists_and_never_recreates_it()
    {
        var a = await SessionAsync();
        const string owner = "/nodepool/nodes/0000000001";
        var guarded = ZkLock.Exclusive(a, owner + "/lock", Time);
        Assert.Null(await guarded.TryAcquireWhileExistsAsync(owner, Ct));
        Assert.Null(await a.ExistsAsync(owner, null, Ct));

        await a.CreateWithParentsAsync(owner, Bytes("{}"), CreateOptions.Persistent, Ct);
        await using var held = await guarded.TryAcquireWhileExistsAsync(owner, Ct);
        Assert.NotNull(held);
        Assert.Null(await ZkLock.Exclusive(await SessionAsync(), owner + "/lock", Time).TryAcquireWhileExistsAsync(owner, Ct));
    }

    [Fact]
    public async Task Waiters_get_the_lock_one_at_a_time_in_arrival_order()
    {
        var a = await SessionAsync();
        var b = await SessionAsync();
        var c = await SessionAsync();
        var first = await ZkLock.Exclusive(a, LockPath, Time).AcquireAsync(Ct);
        var secondTask = ZkLock.Exclusive(b, LockPath, Time, Bytes("b")).AcquireAsync(Ct);
        await EventuallyAsync(async () => (await ZkLock.GetContendersAsync(a, LockPath, Ct)).Count == 2, "b queues");
        var thirdTask = ZkLock.Exclusive(c, LockPath, Time, Bytes("c")).AcquireAsync(Ct);
        await EventuallyAsync(async () => (await ZkLock.GetContendersAsync(a, LockPath, Ct)).Count == 3, "c queues");
        Assert.False(secondTask.IsCompleted);
        Assert.False(thirdTask.IsCompleted);

        await first.ReleaseAsync(Ct);
        var second = await Within(secondTask, "b to take the lock after a released it");
        Assert.False(thirdTask.IsCompleted);
        Assert.Equal(["b", "c"], (await ZkLock.GetContendersAsync(a, LockPath, Ct)).Select(x => Text(x.Identifier)));

        await second.ReleaseAsync(Ct);
        await using var third = await Within(thirdTask, "c to take the lock after b released it");
        Assert.False(third.IsLost);
    }

    [Fact]
    public async Task Cancelling_a_blocked_acquire_withdraws_the_contender()
    {
        var a = await SessionAsync();
        var b = await SessionAsync();
        await using var held = await ZkLock.Exclusive(a, LockPath, Time).AcquireAsync(Ct);
        using var cancel = new CancellationTokenSource();
        var waiting = ZkLock.Exclusive(b, LockPath, Time).AcquireAsync(cancel.Token);
        await EventuallyAsync(async () => (await ZkLock.GetContendersAsync(a, LockPath, Ct)).Count == 2, "b queues");

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Single(await ZkLock.GetContendersAsync(a, LockPath, Ct));
    }

    [Fact]
    public async Task Cancelling_while_the_contender_is_being_created_leaves_no_trace()
    {
        var a = await SessionAsync();
        await a.EnsurePathAsync(LockPath, Ct); // so that the contender's create succeeds once sent
        for (var round = 0; round < 10; round++)
        {
            using var cancel = new CancellationTokenSource();
            var attempt = ZkLock.Exclusive(a, LockPath, Time).AcquireAsync(cancel.Token);
            await cancel.CancelAsync(); // the create is on its way (or about to be): it may still happen
            try
            {
                await using var handle = await attempt;
            }
            catch (OperationCanceledException)
            {
            }
            Assert.Empty(await ZkLock.GetContendersAsync(a, LockPath, Ct));
        }
    }

    [Fact]
    public async Task The_holder_is_told_when_its_session_ends_and_the_next_waiter_takes_the_lock()
    {
        var a = await SessionAsync();
        var b = await SessionAsync();
        var held = await ZkLock.Exclusive(a, LockPath, Time).AcquireAsync(Ct);
        var told = new TaskCompletionSource<LossReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        held.Lost += reason => told.TrySetResult(reason);
        var tokenFired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        held.LostToken.Register(() => tokenFired.TrySetResult());
        var waiting = ZkLock.Exclusive(b, LockPath, Time).AcquireAsync(Ct);
        await EventuallyAsync(async () => (await ZkLock.GetContendersAsync(b, LockPath, Ct)).Count == 2, "b queues");

        await Backend.EndSessionAsync(a, Ct);

        // Closing a session deletes its ephemerals first: the holder may hear of its node's deletion before the close.
        LossReason[] expected = Backend.EndedState == ConnectionState.Lost ? [LossReason.SessionLost] : [LossReason.SessionClosed, LossReason.NodeDeleted];
        Assert.Contains(await Within(told.Task, "the holder to be told through the event"), expected);
        await Within(tokenFired.Task, "the holder's LostToken");
        Assert.True(held.IsLost);
        Assert.Contains(held.LossReason!.Value, expected);
        await using var next = await Within(waiting, "b to take the lock the lost session held");
        await held.ReleaseAsync(Ct); // releasing a lost lock is harmless
        Assert.Single(await ZkLock.GetContendersAsync(b, LockPath, Ct));
    }

    [Fact]
    public async Task A_waiter_whose_session_ends_fails_instead_of_hanging()
    {
        var a = await SessionAsync();
        var b = await SessionAsync();
        await using var held = await ZkLock.Exclusive(a, LockPath, Time).AcquireAsync(Ct);
        var waiting = ZkLock.Exclusive(b, LockPath, Time).AcquireAsync(Ct);
        await EventuallyAsync(async () => (await ZkLock.GetContendersAsync(a, LockPath, Ct)).Count == 2, "b queues");

        await Backend.EndSessionAsync(b, Ct);

        var error = await Assert.ThrowsAnyAsync<ZooKeeperException>(() => Within(waiting, "the waiter to fail"));
        Assert.Equal(Backend.EndedState == ConnectionState.Lost ? ErrorCode.SessionExpired : ErrorCode.ClientClosed, error.Code);
        Assert.False(error.IsRetryable);
        await EventuallyAsync(async () => (await ZkLock.GetContendersAsync(a, LockPath, Ct)).Count == 1, "b's contender to go");
    }

    [Fact]
    public async Task The_holder_is_told_when_its_node_is_deleted_by_someone_else()
    {
        var a = await SessionAsync();
        var admin = await SessionAsync();
        await using var held = await ZkLock.Exclusive(a, LockPath, Time).AcquireAsync(Ct);
        await admin.DeleteAsync(held.NodePath, ZooKeeperVersion.Any, Ct);
        await Within(Task.Delay(Timeout.Infinite, held.LostToken).ContinueWith(_ => { }, TaskScheduler.Default), "the loss");
        Assert.Equal(LossReason.NodeDeleted, held.LossReason);
    }

    [Fact]
    public async Task A_holder_suspended_longer_than_its_session_timeout_is_told_but_a_short_drop_is_forgiven()
    {
        var clock = new FakeTimeProvider(); // the recipe's clock, whatever the server's
        var connection = new SuspendableZooKeeper(await SessionAsync());
        var timeout = connection.NegotiatedSessionTimeout;
        await using var held = await ZkLock.Exclusive(connection, LockPath, clock).AcquireAsync(Ct);

        connection.Suspend();
        clock.Advance(timeout - TimeSpan.FromMilliseconds(1));
        connection.Resume();
        clock.Advance(timeout * 2);
        Assert.False(held.IsLost); // the session came back in time: the lock was never in doubt

        connection.Suspend();
        clock.Advance(timeout);
        await Within(Task.Delay(Timeout.Infinite, held.LostToken).ContinueWith(_ => { }, TaskScheduler.Default), "the loss");
        Assert.Equal(LossReason.SuspendedTooLong, held.LossReason);
    }

    [Fact]
    public async Task Releasing_does_not_report_a_loss()
    {
        var a = await SessionAsync();
        var held = await ZkLock.Exclusive(a, LockPath, Time).AcquireAsync(Ct);
        await held.ReleaseAsync(Ct);
        await held.ReleaseAsync(Ct);
        Assert.True(held.IsReleased);
        Assert.False(held.IsLost);
        Assert.False(held.LostToken.IsCancellationRequested);
        Assert.Empty(await ZkLock.GetContendersAsync(a, LockPath, Ct));
    }
}

public sealed class ZkLockTests : ZkLockContractTests<EmbeddedBackend>;

public sealed class ZkLockIntegrationTests : ZkLockContractTests<RealBackend>;

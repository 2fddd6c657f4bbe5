using Gating.ZooKeeper;
using Gating.ZooKeeper.Embedded;
using Microsoft.Extensions.Time.Testing;

namespace Gating.Coordination.Tests.Locks;

/// <summary>
/// Session expiry driven by the fake clock on a durable embedded store: the process that held the lock loses its
/// connection (the store goes away under it), so the holder only sees Suspended; after the session timeout on the
/// clock it must consider the lock lost, and the restarted store must have expired the session and freed the lock.
/// </summary>
public sealed class SessionExpiryByClockTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gating-coord-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
    private readonly CancellationToken _ct = new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    [Fact]
    public async Task A_holder_suspended_longer_than_its_session_timeout_is_told_and_the_lock_is_freed()
    {
        var options = new EmbeddedZooKeeperOptions { TimeProvider = _time };
        var store = await EmbeddedZooKeeper.OpenAsync(_directory, options, _ct);
        var holder = await store.ConnectAsync(TimeSpan.FromSeconds(10), _ct);
        var held = await ZkLock.Exclusive(holder, "/locks/x", _time).AcquireAsync(_ct);
        var leader = await new LeaderElection(holder, "/election", "a", _time).RunForLeaderAsync(_ct);
        var suspended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        holder.StateChanged += s => { if (s == ConnectionState.Suspended) { suspended.TrySetResult(); } };

        await store.DisposeAsync(); // the holder's server goes away: its session is neither closed nor expired yet
        await suspended.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(held.IsLost); // within the session timeout the session may still come back

        _time.Advance(TimeSpan.FromSeconds(2));
        await Task.Delay(Timeout.Infinite, held.LostToken).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(Timeout.Infinite, leader.LostToken).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(LossReason.SuspendedTooLong, held.LossReason);
        Assert.Equal(LossReason.SuspendedTooLong, leader.LossReason);

        await using var restarted = await EmbeddedZooKeeper.OpenAsync(_directory, options, _ct);
        await using var other = await restarted.ConnectAsync(TimeSpan.FromSeconds(10), _ct);
        Assert.Null(await ZkLock.Exclusive(other, "/locks/x", _time).TryAcquireAsync(_ct)); // the old session is not expired yet
        _time.Advance(TimeSpan.FromSeconds(11)); // the restarted store expires sessions that did not come back
        await using var taken = await ZkLock.Exclusive(other, "/locks/x", _time).AcquireAsync(_ct).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(other.SessionId, Assert.Single(await ZkLock.GetContendersAsync(other, "/locks/x", _ct)).SessionId);
        await holder.DisposeAsync();
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

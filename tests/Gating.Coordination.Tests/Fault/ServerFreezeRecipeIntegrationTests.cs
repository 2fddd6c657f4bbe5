using System.Diagnostics;
using Gating.ZooKeeper;
using Gating.ZooKeeper.Tests.TestServers;

namespace Gating.Coordination.Tests.Fault;

/// <summary>
/// A real server frozen (SIGSTOP) for longer than the holder's session timeout: the holder's client reports Lost,
/// every lock and leadership it held tells it so (LostToken, Lost), the server expires the session once it runs
/// again (the holder's ephemeral contender nodes go), and another client then takes the locks and the leadership,
/// both a rival that was already waiting and one that asks afterwards.
/// </summary>
public sealed class ServerFreezeRecipeIntegrationTests : IAsyncLifetime
{
    private const string ExclusivePath = "/locks/freeze/exclusive";
    private const string ReadWritePath = "/locks/freeze/rw";
    private const string ElectionPath = "/election/freeze";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private ZooKeeperTestCluster? _cluster;

    private ZooKeeperTestCluster Cluster => _cluster ?? throw new InvalidOperationException("cluster not started");

    public async Task InitializeAsync() => _cluster = await ZooKeeperTestCluster.StartStandaloneAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    private Task<ZooKeeperClient> ConnectAsync(TimeSpan sessionTimeout, CancellationToken cancellationToken) =>
        ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = Cluster.ConnectString, SessionTimeout = sessionTimeout }, cancellationToken);

    [Fact]
    public async Task A_server_frozen_past_the_session_timeout_releases_locks_and_leadership_and_tells_their_holders()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        var ct = cts.Token;
        var server = Cluster.Servers[0];
        await using var holder = await ConnectAsync(TimeSpan.FromSeconds(2), ct);
        // The rival's session outlives the freeze: it waits through it and must be woken by the holder's expiry.
        await using var rival = await ConnectAsync(TimeSpan.FromSeconds(30), ct);
        var holderLost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        holder.StateChanged += s => { if (s == ConnectionState.Lost) { holderLost.TrySetResult(); } };

        var exclusive = await ZkLock.Exclusive(holder, ExclusivePath).AcquireAsync(ct);
        var write = await new ReadWriteLock(holder, ReadWritePath).Write.AcquireAsync(ct);
        var leadership = await new LeaderElection(holder, ElectionPath, "holder").RunForLeaderAsync(ct);
        LockHandle[] held = [exclusive, write, leadership];
        var told = held.Select(Told).ToArray();
        var tokens = held.Select(h => Cancelled(h.LostToken)).ToArray();
        var rivalExclusive = ZkLock.Exclusive(rival, ExclusivePath).AcquireAsync(ct);
        var rivalLeadership = new LeaderElection(rival, ElectionPath, "rival").RunForLeaderAsync(ct);
        await WaitUntilAsync(async () => (await ZkLock.GetContendersAsync(rival, ExclusivePath, ct)).Count == 2
            && (await ZkLock.GetContendersAsync(rival, ElectionPath, ct)).Count == 2, "the rival to queue behind the holder");

        server.Pause();
        try
        {
            await holderLost.Task.WaitAsync(Bound);
            await Task.WhenAll(tokens).WaitAsync(Bound);
            var reasons = await Task.WhenAll(told).WaitAsync(Bound);
            // Whichever the holder noticed first: suspended past its timeout, or its client declaring the session lost.
            Assert.All(reasons, r => Assert.Contains(r, new[] { LossReason.SessionLost, LossReason.SuspendedTooLong }));
            Assert.All(held, h => Assert.True(h.IsLost));
            Assert.False(rivalExclusive.IsCompleted); // nobody could have freed the lock while the server was frozen
            Assert.False(rivalLeadership.IsCompleted);
        }
        finally
        {
            server.Resume();
        }
        Assert.Equal(ConnectionState.Lost, holder.State);
        var after = await Assert.ThrowsAsync<ZooKeeperException>(() => ZkLock.Exclusive(holder, "/locks/freeze/other").AcquireAsync(ct));
        Assert.Equal(ErrorCode.SessionExpired, after.Code);

        // Running again, the server expires the holder's session: its contender nodes go, and the rival, still
        // connected, is woken and leads.
        await using var taken = await rivalExclusive.WaitAsync(Bound, ct);
        await using var leading = await rivalLeadership.WaitAsync(Bound, ct);
        Assert.Equal(["rival"], await new LeaderElection(rival, ElectionPath, "rival").GetCandidatesAsync(ct));
        foreach (var handle in held)
        {
            Assert.Null(await rival.ExistsAsync(handle.NodePath, null, ct));
        }
        var rejoin = await Assert.ThrowsAsync<ZooKeeperException>(() => ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = Cluster.ConnectString,
            SessionId = holder.SessionId,
            SessionPassword = holder.SessionPassword,
        }, ct));
        Assert.Equal(ErrorCode.SessionExpired, rejoin.Code);

        // A client that arrives afterwards takes the rest.
        await using var latecomer = await ConnectAsync(TimeSpan.FromSeconds(10), ct);
        await using var written = await new ReadWriteLock(latecomer, ReadWritePath).Write.TryAcquireAsync(ct);
        Assert.NotNull(written);
        Assert.All(await ZkLock.GetContendersAsync(latecomer, ExclusivePath, ct), c => Assert.Equal(rival.SessionId, c.SessionId));
        foreach (var handle in held)
        {
            await handle.ReleaseAsync(ct); // harmless on a lost session
        }
    }

    private static Task<LossReason> Told(LockHandle handle)
    {
        var told = new TaskCompletionSource<LossReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        handle.Lost += reason => told.TrySetResult(reason);
        if (handle.LossReason is { } already)
        {
            told.TrySetResult(already); // lost before the subscription
        }
        return told.Task;
    }

    private static Task Cancelled(CancellationToken token)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => cancelled.TrySetResult());
        return cancelled.Task;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Bound, $"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }
}

using Gating.ZooKeeper.Embedded;

namespace Gating.ZooKeeper.Tests.Embedded;

/// <summary>Session lifetimes with a fake clock: expiry, re-attach after a restart, forced expiry, negotiation.</summary>
public sealed class EmbeddedZooKeeperSessionTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Sessions_that_do_not_come_back_after_a_restart_expire_after_their_timeout()
    {
        using var test = new EmbeddedTestStore();
        await using (var store = await test.OpenAsync())
        {
            var session = await store.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
            await session.CreateAsync("/e", default, CreateOptions.Ephemeral, Ct);
            await session.CreateAsync("/keep", default, CreateOptions.Persistent, Ct);
        } // the process "dies": the session is not closed

        await using var restarted = await test.OpenAsync();
        await using var observer = await restarted.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
        var events = new List<WatchedEvent>();
        Assert.NotNull(await observer.ExistsAsync("/e", e => { lock (events) { events.Add(e); } }, Ct));
        test.Time.Advance(TimeSpan.FromSeconds(9));
        await observer.SyncAsync("/", Ct); // any expiry the clock started is committed before the sync returns
        Assert.NotNull(await observer.ExistsAsync("/e", null, Ct));
        test.Time.Advance(TimeSpan.FromSeconds(2));
        await observer.SyncAsync("/", Ct);
        Assert.Null(await observer.ExistsAsync("/e", null, Ct));
        Assert.NotNull(await observer.ExistsAsync("/keep", null, Ct));
        Assert.Equal([observer.SessionId], restarted.SessionIds);
        await EmbeddedTestStore.WaitUntilAsync(() => { lock (events) { return events.Count == 1; } }, "the NodeDeleted event arrives");
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDeleted, "/e"), events[0]);
    }

    [Fact]
    public async Task A_session_re_attached_after_a_restart_keeps_its_ephemerals()
    {
        using var test = new EmbeddedTestStore();
        long id;
        byte[] password;
        await using (var store = await test.OpenAsync())
        {
            var session = await store.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
            await session.CreateAsync("/e", default, CreateOptions.Ephemeral, Ct);
            id = session.SessionId;
            password = session.SessionPassword.ToArray();
        }
        await using var restarted = await test.OpenAsync();
        await Assert.ThrowsAsync<ZooKeeperException>(() => restarted.ConnectAsync(new EmbeddedConnectOptions(TimeSpan.FromSeconds(10), SessionId: id, SessionPassword: new byte[16]), Ct));
        test.Time.Advance(TimeSpan.FromSeconds(5));
        await using var again = await restarted.ConnectAsync(new EmbeddedConnectOptions(TimeSpan.FromSeconds(10), SessionId: id, SessionPassword: password), Ct);
        Assert.Equal(id, again.SessionId);
        Assert.Equal(TimeSpan.FromSeconds(10), again.NegotiatedSessionTimeout);
        test.Time.Advance(TimeSpan.FromMinutes(5));
        await again.SyncAsync("/", Ct);
        Assert.Equal(id, (await again.ExistsAsync("/e", null, Ct))!.Value.EphemeralOwner);
        await again.DisposeAsync();
        await using var observer = await restarted.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Null(await observer.ExistsAsync("/e", null, Ct));
        var expired = await Assert.ThrowsAsync<ZooKeeperException>(() => restarted.ConnectAsync(new EmbeddedConnectOptions(TimeSpan.FromSeconds(10), SessionId: id, SessionPassword: password), Ct));
        Assert.Equal(ErrorCode.SessionExpired, expired.Code);
    }

    [Fact]
    public async Task A_forced_expiry_tells_the_client_and_removes_its_ephemerals()
    {
        await using var store = EmbeddedZooKeeper.OpenInMemory(new EmbeddedZooKeeperOptions());
        await using var victim = await store.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
        await using var observer = await store.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
        await victim.CreateAsync("/lock", default, CreateOptions.Ephemeral, Ct);
        var lost = new TaskCompletionSource<ConnectionState>(TaskCreationOptions.RunContinuationsAsynchronously);
        victim.StateChanged += s => lost.TrySetResult(s);
        await store.ExpireSessionAsync(victim.SessionId, Ct);
        Assert.Equal(ConnectionState.Lost, await lost.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(ConnectionState.Lost, victim.State);
        Assert.Null(await observer.ExistsAsync("/lock", null, Ct));
        var e = await Assert.ThrowsAsync<ZooKeeperException>(() => victim.GetDataAsync("/", null, Ct));
        Assert.Equal(ErrorCode.SessionExpired, e.Code);
        Assert.False(e.IsRetryable);
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(10, 10)]
    [InlineData(600, 40)]
    public async Task Session_timeouts_are_negotiated_into_two_to_twenty_ticks(int requestedSeconds, int negotiatedSeconds)
    {
        await using var store = EmbeddedZooKeeper.OpenInMemory(new EmbeddedZooKeeperOptions());
        await using var session = await store.ConnectAsync(TimeSpan.FromSeconds(requestedSeconds), Ct);
        Assert.Equal(TimeSpan.FromSeconds(negotiatedSeconds), session.NegotiatedSessionTimeout);
    }

    [Fact]
    public async Task A_chroot_hides_the_prefix_from_paths_and_events()
    {
        await using var store = EmbeddedZooKeeper.OpenInMemory(new EmbeddedZooKeeperOptions());
        await using var root = await store.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
        await root.CreateAsync("/app", default, CreateOptions.Persistent, Ct);
        await using var app = await store.ConnectAsync(new EmbeddedConnectOptions(TimeSpan.FromSeconds(10), "/app"), Ct);
        var events = new List<WatchedEvent>();
        await app.AddWatchAsync("/", AddWatchMode.PersistentRecursive, e => { lock (events) { events.Add(e); } }, Ct);
        var created = await app.CreateAsync("/n-", default, CreateOptions.PersistentSequential, Ct);
        Assert.Equal("/n-0000000000", created.Path);
        Assert.NotNull(await root.ExistsAsync("/app/n-0000000000", null, Ct));
        Assert.Equal(["n-0000000000"], (await app.GetChildrenAsync("/", null, Ct)).Children);
        await EmbeddedTestStore.WaitUntilAsync(() => { lock (events) { return events.Count == 1; } }, "the NodeCreated event arrives");
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeCreated, "/n-0000000000"), events[0]);
    }

    [Fact]
    public async Task Persistent_watches_can_be_removed_by_their_own_types()
    {
        await using var store = EmbeddedZooKeeper.OpenInMemory(new EmbeddedZooKeeperOptions());
        await using var zk = await store.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
        var events = new List<WatchedEvent>();
        Watcher watcher = e => { lock (events) { events.Add(e); } };
        await zk.AddWatchAsync("/x", AddWatchMode.Persistent, watcher, Ct);
        await zk.AddWatchAsync("/y", AddWatchMode.PersistentRecursive, watcher, Ct);
        var wrongType = await Assert.ThrowsAsync<ZooKeeperException>(() => zk.RemoveWatchesAsync("/x", WatcherType.PersistentRecursive, watcher, Ct));
        Assert.Equal(ErrorCode.NoWatcher, wrongType.Code);
        await zk.RemoveWatchesAsync("/x", WatcherType.Persistent, watcher, Ct);
        await zk.RemoveWatchesAsync("/y", WatcherType.PersistentRecursive, null, Ct);
        await EmbeddedTestStore.WaitUntilAsync(() => { lock (events) { return events.Count == 2; } }, "both removals are reported");
        Assert.All(events, e => Assert.Equal(WatchedEventType.PersistentWatchRemoved, e.Type));
    }

    [Fact]
    public async Task A_partition_suspends_the_client_and_expires_the_session_after_its_timeout()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var store = EmbeddedZooKeeper.OpenInMemory(new EmbeddedZooKeeperOptions { TimeProvider = time });
        await using var client = await store.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
        await using var other = await store.ConnectAsync(TimeSpan.FromSeconds(10), Ct);
        await client.CreateAsync("/lock", default, CreateOptions.Ephemeral, Ct);
        await other.CreateAsync("/data", default, CreateOptions.Persistent, Ct);
        var seen = new List<string>();
        void Record(string what)
        {
            lock (seen)
            {
                seen.Add(what);
            }
        }
        client.StateChanged += s => Record(s.ToString());
        await client.GetDataAsync("/data", e => Record(e.Type + " " + e.Path), Ct);

        store.DisconnectSession(client.SessionId);
        Assert.Equal(ConnectionState.Suspended, client.State);
        var loss = await Assert.ThrowsAsync<ZooKeeperException>(() => client.GetDataAsync("/data", null, Ct));
        Assert.True(loss.IsRetryable);
        await other.SetDataAsync("/data", new byte[] { 1 }, -1, Ct);
        time.Advance(TimeSpan.FromSeconds(8));
        await other.SyncAsync("/", Ct);
        store.ReconnectSession(client.SessionId);
        await EmbeddedTestStore.WaitUntilAsync(() => { lock (seen) { return seen.Count == 3; } }, "the client reconnects and hears the missed event");
        Assert.Equal(["Suspended", "Connected", "NodeDataChanged /data"], seen);
        Assert.NotNull(await other.ExistsAsync("/lock", null, Ct));

        store.DisconnectSession(client.SessionId);
        time.Advance(TimeSpan.FromSeconds(12));
        await other.SyncAsync("/", Ct);
        Assert.Null(await other.ExistsAsync("/lock", null, Ct));
        await EmbeddedTestStore.WaitUntilAsync(() => { lock (seen) { return seen.Count == 5; } }, "the client hears it is lost");
        Assert.Equal(["Suspended", "Lost"], seen.Skip(3));
        Assert.Equal(ConnectionState.Lost, client.State);
    }
}

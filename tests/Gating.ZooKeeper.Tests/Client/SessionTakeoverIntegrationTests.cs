using Gating.ZooKeeper.Tests.Fault;
using Gating.ZooKeeper.Tests.TestServers;

namespace Gating.ZooKeeper.Tests.Client;

/// <summary>
/// A session's id and password let a second client attach to it, as Java's client allows; closing that second
/// client ends the session on the server, so the first client is told Lost and its ephemerals go: a real
/// server-side expiry, forced the way ZooKeeper's own tests (and Curator's KillSession) force one.
/// </summary>
public sealed class SessionTakeoverIntegrationTests
{
    [Fact]
    public async Task Closing_a_second_client_attached_to_the_session_expires_it_for_the_first()
    {
        var ct = RealZooKeeper.TestTimeout();
        var root = $"/gating-test-takeover-{Guid.NewGuid():N}";
        await using var victim = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = RealZooKeeper.ConnectString,
            SessionTimeout = TimeSpan.FromSeconds(20),
        }, ct);
        await victim.CreateAsync(root, default, CreateOptions.Persistent, ct);
        try
        {
            await victim.CreateAsync(root + "/eph", default, CreateOptions.Ephemeral, ct);
            var states = new StateRecorder(victim);
            var password = victim.SessionPassword;
            Assert.Equal(16, password.Length);
            Assert.Contains(password.ToArray(), b => b != 0);

            // The victim re-attaches as soon as the server moves the session away from it; if it wins that race the
            // close below reaches a connection the server already dropped, so go again until the close lands.
            for (var attempt = 1; victim.State != ConnectionState.Lost; attempt++)
            {
                Assert.True(attempt <= 10, $"the session was not expired after {attempt - 1} takeovers; states {string.Join(",", states.All)}");
                var suspensions = states.All.Count(s => s == ConnectionState.Suspended);
                try
                {
                    await using var thief = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
                    {
                        ConnectString = RealZooKeeper.ConnectString,
                        SessionId = victim.SessionId,
                        SessionPassword = password,
                    }, ct);
                    Assert.Equal(victim.SessionId, thief.SessionId);
                    Assert.Equal(password.ToArray(), thief.SessionPassword.ToArray());
                }
                catch (ZooKeeperException e) when (e.Code == ErrorCode.SessionExpired)
                {
                    // An earlier close did land; the victim has yet to hear of it.
                }
                await Eventually.TrueAsync(() => victim.State == ConnectionState.Lost
                        || (victim.State == ConnectionState.Connected && states.All.Count(s => s == ConnectionState.Suspended) > suspensions),
                    "the victim to re-attach or hear that its session expired");
            }

            // State is set before the event is delivered on the event loop.
            await Eventually.TrueAsync(() => states.Saw(ConnectionState.Lost), "the Lost event");
            Assert.Equal(ConnectionState.Lost, states.All[^1]);
            var after = await Assert.ThrowsAsync<ZooKeeperException>(() => victim.ExistsAsync(root, null, ct));
            Assert.Equal(ErrorCode.SessionExpired, after.Code);
            await using var observer = await RealZooKeeper.ConnectAsync();
            Assert.Null(await observer.ExistsAsync(root + "/eph", null, ct));
        }
        finally
        {
            await using var cleanup = await RealZooKeeper.ConnectAsync();
            await cleanup.DeleteAsync(root + "/eph", -1, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
            await cleanup.DeleteAsync(root, -1, CancellationToken.None);
        }
    }
}

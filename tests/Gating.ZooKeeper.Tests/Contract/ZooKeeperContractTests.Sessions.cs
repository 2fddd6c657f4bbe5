namespace Gating.ZooKeeper.Tests.Contract;

/// <summary>Sessions and ephemerals: owners, visibility to other sessions, cleanup on close.</summary>
public abstract partial class ZooKeeperContractTests
{
    [Fact]
    public async Task A_session_is_connected_with_an_id_and_a_timeout()
    {
        var zk = await SessionAsync();
        Assert.Equal(ConnectionState.Connected, zk.State);
        Assert.NotEqual(0, zk.SessionId);
        Assert.True(zk.NegotiatedSessionTimeout > TimeSpan.Zero);
        var other = await SecondSessionAsync();
        Assert.NotEqual(zk.SessionId, other.SessionId);
    }

    [Fact]
    public async Task Ephemerals_belong_to_their_session_and_go_when_it_closes()
    {
        var owner = await ConnectAsync(Ct);
        var observer = await SecondSessionAsync();
        var created = await CreateAsync(owner, "/e", "x", CreateOptions.Ephemeral);
        Assert.Equal(owner.SessionId, created.Stat.EphemeralOwner);
        var seq = await CreateAsync(owner, "/es-", options: CreateOptions.EphemeralSequential);
        Assert.Equal("/es-0000000001", seq.Path);
        Assert.Equal(owner.SessionId, (await observer.ExistsAsync("/e", null, Ct))!.Value.EphemeralOwner);
        await ThrowsCodeAsync(ErrorCode.NoChildrenForEphemerals, () => CreateAsync(owner, "/e/child"));

        var deleted = new EventRecorder(EventTimeout);
        Assert.NotNull(await observer.ExistsAsync("/e", deleted.Watch, Ct));
        var states = new List<ConnectionState>();
        owner.StateChanged += s =>
        {
            lock (states)
            {
                states.Add(s);
            }
        };
        await owner.DisposeAsync();
        Assert.Equal(ConnectionState.Closed, owner.State);
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDeleted, "/e"), await deleted.NextAsync());
        Assert.Null(await observer.ExistsAsync("/e", null, Ct));
        Assert.Null(await observer.ExistsAsync(seq.Path, null, Ct));
        await ThrowsCodeAsync(ErrorCode.ClientClosed, () => owner.GetDataAsync("/", null, Ct));
    }

    [Fact]
    public async Task Closing_a_session_leaves_others_ephemerals()
    {
        var first = await ConnectAsync(Ct);
        var second = await SecondSessionAsync();
        await CreateAsync(first, "/mine", options: CreateOptions.Ephemeral);
        await CreateAsync(second, "/yours", options: CreateOptions.Ephemeral);
        await first.DisposeAsync();
        Assert.Null(await second.ExistsAsync("/mine", null, Ct));
        Assert.NotNull(await second.ExistsAsync("/yours", null, Ct));
    }
}

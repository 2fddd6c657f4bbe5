using Gating.Model;
using Gating.Nodepool.Decisions;
using Gating.Nodepool.Launcher;

namespace Gating.Nodepool.Tests.Launcher;

public sealed class InMemoryNodeStoreTests
{
    [Fact]
    public async Task Locks_are_exclusive_between_sessions_and_vanish_when_a_session_expires()
    {
        var store = new InMemoryNodeStore();
        var a = store.Connect("a");
        var b = store.Connect("b");
        var held = await a.TryLockRequestAsync("200-0000000001", default);
        Assert.NotNull(held);
        Assert.Null(await b.TryLockRequestAsync("200-0000000001", default));
        Assert.NotNull(await a.TryLockNodeAsync("0000000001", default));
        await a.RegisterPoolAsync(new PoolView(new PoolId("p", "m"), 100, ["x"]), default);
        Assert.Single(await b.PoolsAsync(default));

        a.Expire();
        var (requests, nodes) = await b.LockedAsync(default);
        Assert.Empty(requests);
        Assert.Empty(nodes);
        Assert.Empty(await b.PoolsAsync(default));
        Assert.NotNull(await b.TryLockRequestAsync("200-0000000001", default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => a.NodesAsync(default));

        await held!.DisposeAsync(); // the dead session's unlock must not free b's lock
        Assert.Contains("200-0000000001", (await b.LockedAsync(default)).Requests);
    }

    [Fact]
    public async Task Requests_get_priority_sequence_ids_and_saving_a_deleted_request_says_so()
    {
        var store = new InMemoryNodeStore();
        var s = store.Connect("zuul");
        var r1 = await s.SubmitRequestAsync(new NodeRequest("", NodeRequestState.Requested, DateTimeOffset.UnixEpoch, ["x"], "z") { Priority = 100 }, default);
        var r2 = await s.SubmitRequestAsync(new NodeRequest("", NodeRequestState.Requested, DateTimeOffset.UnixEpoch, ["x"], "z"), default);
        Assert.Equal(("100-0000000000", "200-0000000001"), (r1.Id, r2.Id));
        Assert.Equal(["0000000001", "0000000002"], new[] { await s.NewNodeIdAsync(default), await s.NewNodeIdAsync(default) });
        await s.DeleteRequestAsync(r1.Id, default);
        Assert.False(await s.SaveRequestAsync(r1 with { State = NodeRequestState.Pending }, default));
        Assert.True(await s.SaveRequestAsync(r2 with { State = NodeRequestState.Pending }, default));
    }
}

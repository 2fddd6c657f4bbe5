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

    [Fact]
    public async Task Updates_apply_to_the_current_record_and_watchers_hear_every_write()
    {
        var store = new InMemoryNodeStore();
        var zuul = store.Connect("zuul");
        var launcher = store.Connect("launcher");
        var changes = 0;
        await using (await launcher.WatchAsync(() => Interlocked.Increment(ref changes), default))
        {
            var request = await zuul.SubmitRequestAsync(new NodeRequest("", NodeRequestState.Requested, DateTimeOffset.UnixEpoch, ["small"], "zuul"), default);
            await zuul.UpdateRequestAsync(request.Id, r => r with { RelativePriority = 3 }, default);
            var pending = await launcher.UpdateRequestAsync(request.Id, r => r with { State = NodeRequestState.Pending }, default);
            Assert.Equal((NodeRequestState.Pending, 3), (pending!.State, pending.RelativePriority)); // zuul's change kept
            Assert.Null(await launcher.UpdateRequestAsync(request.Id, _ => null, default));
            Assert.Null(await launcher.UpdateNodeAsync("0000000009", n => n, default));
            Assert.Equal(3, changes); // submit and two updates; a change that wrote nothing is no change
        }

        await zuul.DeleteRequestAsync("200-0000000000", default);
        Assert.Equal(3, changes); // unwatched
    }
}

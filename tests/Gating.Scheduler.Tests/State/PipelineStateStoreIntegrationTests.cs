using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gating.Coordination;
using Gating.Model;
using Gating.Scheduler.State;
using Gating.Testing.Cluster;
using Gating.ZooKeeper;
using Microsoft.Extensions.Time.Testing;

namespace Gating.Scheduler.Tests.State;

/// <summary>
/// The pipeline state store on the embedded store and on the real server (GATING_TEST_ZOOKEEPER, a chroot per
/// test): round trip, only changed parts written, crashed writes' orphans ignored and swept, compare-and-set, and
/// reads of parts only under names not seen before.
/// </summary>
public sealed class PipelineStateStoreIntegrationTests
{
    private const string Tenant = "t";
    private const string Pipeline = "gate";

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token;

    private static ClusterStore Open(bool real) => real ? ClusterStore.Real() : ClusterStore.Embedded(new FakeTimeProvider());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Round_trip_gives_back_the_record(bool real)
    {
        var ct = Timeout;
        await using var store = Open(real);
        await using var zk = await store.ConnectAsync(ct);
        var record = Record(State(12), pass: 3);
        var version = await new PipelineStateStore(zk).WriteAsync(Tenant, Pipeline, record, -1, ct);

        var (read, readVersion) = await new PipelineStateStore(zk).ReadAsync(Tenant, Pipeline, ct);
        Assert.Equal(version, readVersion);
        Assert.Equal(Json(record), Json(read));
        Assert.Equal(12, read.State.Items.Count);
        Assert.Equal(12, read.State.Changes.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Only_changed_items_are_written(bool real)
    {
        var ct = Timeout;
        await using var store = Open(real);
        await using var session = await store.ConnectAsync(ct);
        var counter = new ZooKeeperOpCounter();
        var zk = new CountingZooKeeper(session, counter);
        var states = new PipelineStateStore(zk);
        var state = State(20);
        var version = await states.WriteAsync(Tenant, Pipeline, Record(state, 1), -1, ct);
        Assert.Equal(50, states.LastWrite.Created); // 20 items, 20 changes, 10 job graphs

        // One item changed, one rebuilt with the same content, the rest the same objects.
        var changed = state.Items["i3"] with { Active = true };
        var rebuilt = state.Items["i4"] with { };
        state = state with { Items = state.Items.SetItem("i3", changed).SetItem("i4", rebuilt) };
        var (w0, t0) = (counter.Writes, counter.Transactions);
        version = await states.WriteAsync(Tenant, Pipeline, Record(state, 2), version, ct);
        Assert.Equal(1, states.LastWrite.Created);
        Assert.Equal(1, states.LastWrite.Deleted);
        Assert.Equal(1, counter.Transactions - t0); // header, the new part and the old part's deletion in one multi
        Assert.Equal(3, counter.Writes - w0);

        // Nothing changed: only the header.
        (w0, t0) = (counter.Writes, counter.Transactions);
        version = await states.WriteAsync(Tenant, Pipeline, Record(state, 3), version, ct);
        Assert.Equal(0, states.LastWrite.Created);
        Assert.Equal((1L, 1L), (counter.Writes - w0, counter.Transactions - t0));
        Assert.Equal(50, (await zk.GetChildrenAsync(PipelineStateStore.PartsPathOf(Tenant, Pipeline), null, ct)).Children.Count);

        // A build of an item with a job graph: the item's part is written again, its graph's is not.
        var item = state.Items["i2"];
        var building = item with { BuildSet = item.BuildSet with { Builds = item.BuildSet.Builds.Add("job1", new Build { Id = "b1", Job = "job1", State = BuildState.Running }) } };
        state = state with { Items = state.Items.SetItem("i2", building) };
        await states.WriteAsync(Tenant, Pipeline, Record(state, 4), version, ct);
        Assert.Equal(1, states.LastWrite.Created);
        var (withBuild, _) = await new PipelineStateStore(session).ReadAsync(Tenant, Pipeline, ct);
        Assert.Same(item.BuildSet.JobGraph, building.BuildSet.JobGraph);
        Assert.Equal(BuildState.Running, withBuild.State.Items["i2"].BuildSet.Builds["job1"].State);
        Assert.Equal("job1", Assert.Single(withBuild.State.Items["i2"].BuildSet.JobGraph!.Jobs).Name);

        var (read, _) = await new PipelineStateStore(session).ReadAsync(Tenant, Pipeline, ct);
        Assert.True(read.State.Items["i3"].Active);
        Assert.Equal(Json(Record(state, 4)), Json(read));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Orphans_of_a_crashed_write_are_ignored_then_swept(bool real)
    {
        var ct = Timeout;
        await using var store = Open(real);
        await using var zk = await store.ConnectAsync(ct);
        var first = Record(State(10), 1);
        var version = await new PipelineStateStore(zk).WriteAsync(Tenant, Pipeline, first, -1, ct);
        var parts = PipelineStateStore.PartsPathOf(Tenant, Pipeline);
        var committed = (await zk.GetChildrenAsync(parts, null, ct)).Children.ToHashSet();

        // A small request budget makes the write create its parts before the header; it dies in between.
        var crashing = new PipelineStateStore(zk, where => throw new InvalidOperationException($"killed at {where}"), requestBytes: 2048);
        await crashing.ReadAsync(Tenant, Pipeline, ct);
        var grown = State(10, extra: "x") with { Sequence = 99 };
        await Assert.ThrowsAsync<InvalidOperationException>(() => crashing.WriteAsync(Tenant, Pipeline, Record(grown, 2), version, ct));
        var orphans = (await zk.GetChildrenAsync(parts, null, ct)).Children.Where(n => !committed.Contains(n)).ToList();
        Assert.NotEmpty(orphans);

        // A reader sees the committed record only.
        var next = new PipelineStateStore(zk, requestBytes: 2048);
        var (read, readVersion) = await next.ReadAsync(Tenant, Pipeline, ct);
        Assert.Equal(version, readVersion);
        Assert.Equal(Json(first), Json(read));

        // The next writer's first commit removes them, and what it wrote reads back whole.
        version = await next.WriteAsync(Tenant, Pipeline, Record(grown, 2), version, ct);
        var left = (await zk.GetChildrenAsync(parts, null, ct)).Children;
        Assert.DoesNotContain(left, orphans.Contains);
        Assert.Equal(Json(Record(grown, 2)), Json((await new PipelineStateStore(zk).ReadAsync(Tenant, Pipeline, ct)).Record));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stale_writer_loses_the_compare_and_set(bool real)
    {
        var ct = Timeout;
        await using var store = Open(real);
        await using var zk = await store.ConnectAsync(ct);
        var version = await new PipelineStateStore(zk).WriteAsync(Tenant, Pipeline, Record(State(3), 1), -1, ct);
        var a = new PipelineStateStore(zk);
        var b = new PipelineStateStore(zk);
        await a.ReadAsync(Tenant, Pipeline, ct);
        await b.ReadAsync(Tenant, Pipeline, ct);
        var winner = Record(State(4), 2);
        await a.WriteAsync(Tenant, Pipeline, winner, version, ct);

        var lost = await Assert.ThrowsAsync<ZooKeeperException>(() => b.WriteAsync(Tenant, Pipeline, Record(State(5), 2), version, ct));
        Assert.Equal(ErrorCode.BadVersion, lost.Code);
        var beaten = await Assert.ThrowsAsync<ZooKeeperException>(() => new PipelineStateStore(zk).WriteAsync(Tenant, Pipeline, Record(State(5), 2), -1, ct));
        Assert.Equal(ErrorCode.NodeExists, beaten.Code);
        Assert.Equal(Json(winner), Json((await b.ReadAsync(Tenant, Pipeline, ct)).Record));
        // The loser left no parts behind: the winner's are all there is.
        Assert.Equal(10, (await zk.GetChildrenAsync(PipelineStateStore.PartsPathOf(Tenant, Pipeline), null, ct)).Children.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_reader_reads_only_parts_under_new_names(bool real)
    {
        var ct = Timeout;
        await using var store = Open(real);
        await using var writerSession = await store.ConnectAsync(ct);
        await using var readerSession = await store.ConnectAsync(ct);
        var counter = new ZooKeeperOpCounter();
        var writer = new PipelineStateStore(writerSession);
        var reader = new PipelineStateStore(new CountingZooKeeper(readerSession, counter));
        var state = State(30);
        // Without an outbox, so that no outbox-done mark is read either.
        var version = await writer.WriteAsync(Tenant, Pipeline, Record(state, 1) with { Outbox = [] }, -1, ct);
        await reader.ReadAsync(Tenant, Pipeline, ct);
        Assert.True(counter.Reads >= 61, $"{counter.Reads} reads for the header and 60 parts");

        // Unchanged: one exists.
        var r0 = counter.Reads;
        await reader.ReadAsync(Tenant, Pipeline, ct);
        Assert.Equal(1, counter.Reads - r0);

        // One item changed: exists, header, one part.
        state = state with { Items = state.Items.SetItem("i7", state.Items["i7"] with { Quiet = true }) };
        await writer.WriteAsync(Tenant, Pipeline, Record(state, 2) with { Outbox = [] }, version, ct);
        r0 = counter.Reads;
        var (read, _) = await reader.ReadAsync(Tenant, Pipeline, ct);
        Assert.Equal(3, counter.Reads - r0);
        Assert.True(read.State.Items["i7"].Quiet);
        Assert.Equal(Json(Record(state, 2) with { Outbox = [] }), Json(read));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Parts_and_header_larger_than_one_request_are_split(bool real)
    {
        var ct = Timeout;
        await using var store = Open(real);
        await using var zk = await store.ConnectAsync(ct);
        var padding = string.Concat(Enumerable.Range(0, 4000).Select(i => Convert.ToHexString(BitConverter.GetBytes(i * 2654435761u))));
        var state = State(6, extra: padding);
        var record = Record(state, 1) with { Outbox = [.. Enumerable.Range(0, 300).Select(i => (JsonNode)new JsonObject { ["n"] = padding[(i * 7)..(i * 7 + 600)] })] };
        var writer = new PipelineStateStore(zk, requestBytes: 4096);
        await writer.WriteAsync(Tenant, Pipeline, record, -1, ct);
        Assert.True(writer.LastWrite.Created > 12, $"{writer.LastWrite.Created} parts: nothing was split");

        var (read, _) = await new PipelineStateStore(zk).ReadAsync(Tenant, Pipeline, ct);
        Assert.Equal(Json(record), Json(read));
    }

    private static PipelineRecord Record(PipelineState state, long pass) =>
        new(state, [new JsonObject { ["type"] = "report", ["pass"] = pass }], ImmutableDictionary<string, long>.Empty.Add("/events/result", pass * 10), pass);

    private static PipelineState State(int items, string? extra = null)
    {
        var queue = new ChangeQueue { Id = "q1", Name = "integrated", WindowSettings = WindowSettings.Unlimited, Items = [.. Enumerable.Range(0, items).Select(i => $"i{i}")] };
        var changes = Enumerable.Range(0, items)
            .Select(i => new Change { Key = new ChangeKey("gerrit", $"org/p{i % 4}", $"{i + 1}"), Number = i + 1, Patchset = "1", Branch = "master", Topic = extra })
            .ToList();
        var byId = Enumerable.Range(0, items).ToImmutableDictionary(i => $"i{i}", i => new QueueItem
        {
            Id = $"i{i}",
            QueueId = "q1",
            Changes = [changes[i]],
            ItemAhead = i == 0 ? null : $"i{i - 1}",
            EnqueueTime = new DateTimeOffset(2026, 1, 1, 0, 0, i, TimeSpan.Zero),
            BuildSet = new BuildSet
            {
                Id = $"bs{i}",
                RepoState = ImmutableDictionary<string, string>.Empty.Add("org/p0@master", extra ?? "abc"),
                JobGraph = i % 2 == 0 ? Graph : null, // one shared object, as unchanged graphs are
            },
        });
        return PipelineState.Empty(Tenant, Pipeline) with
        {
            Queues = [queue],
            Items = byId,
            Changes = changes.ToImmutableDictionary(c => c.Key),
            Sequence = items,
        };
    }

    private static readonly JobGraph Graph = new(
        [new FrozenJob { Name = "job1", InheritancePath = [], Nodeset = new FrozenNodeset("one", [new FrozenNode(["node"], "ubuntu")], [], []) }], []);

    private static string Json(PipelineRecord record) =>
        JsonSerializer.Serialize(record with { State = record.State with { Items = record.State.Items.ToImmutableSortedDictionary(StringComparer.Ordinal).ToImmutableDictionary() } }, SchedulerJson.Options);
}

using System.Text.Json;
using Gating.Coordination.Tests.Infrastructure;

namespace Gating.Coordination.Tests.Queues;

/// <summary>The ordered event queue, on both backends.</summary>
public abstract class EventQueueContractTests<TBackend> : CoordinationTestBase<TBackend>
    where TBackend : ZooKeeperBackend, new()
{
    private static readonly string QueueRoot = ZkPaths.PipelineResultEvents("tenant-one", "gate");

    private sealed record BuildCompleted(string BuildUuid, string Result);

    [Fact]
    public async Task Events_are_read_in_order_and_acknowledged_by_delete()
    {
        var queue = new EventQueue(await SessionAsync(), QueueRoot);
        for (var i = 0; i < 5; i++)
        {
            await queue.PutAsync(new BuildCompleted($"b{i}", "SUCCESS"), null, Ct);
        }

        var events = await queue.ReadAsync(Ct);

        Assert.Equal(["b0", "b1", "b2", "b3", "b4"], events.Select(e => e.As<BuildCompleted>()!.BuildUuid));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence && p.First.Ltime < p.Second.Ltime));
        Assert.True(await queue.AckAsync(events[0], Ct));
        Assert.True(await queue.AckAsync(events[1], Ct));
        Assert.False(await queue.AckAsync(events[1], Ct));
        Assert.Equal(["b2", "b3", "b4"], (await queue.ReadAsync(Ct)).Select(e => e.As<BuildCompleted>()!.BuildUuid));
        Assert.Equal(3, await queue.CountAsync(Ct));
    }

    [Fact]
    public async Task The_payload_is_stored_as_zuul_does_and_read_back_byte_for_byte()
    {
        var zk = await SessionAsync();
        var queue = new EventQueue(zk, QueueRoot);
        var payload = Bytes("{\"driver_name\":\"gerrit\",\"event_data\":{\"type\":\"patchset-created\",\"n\":[1,2.5,null]}}");
        var path = await queue.PutAsync(payload, Ct);

        Assert.StartsWith(QueueRoot + "/queue/q", path, StringComparison.Ordinal);
        using var node = JsonDocument.Parse((await zk.GetDataAsync(path, null, Ct)).Data);
        Assert.Equal("gerrit", node.RootElement.GetProperty("event_data").GetProperty("driver_name").GetString());
        Assert.Equal(payload, Assert.Single(await queue.ReadAsync(Ct)).Payload);
        await Assert.ThrowsAnyAsync<JsonException>(() => queue.PutAsync(Bytes("{not json"), Ct));
    }

    [Fact]
    public async Task A_payload_over_the_limit_goes_to_a_side_blob_that_the_ack_removes()
    {
        var zk = await SessionAsync();
        var queue = new EventQueue(zk, QueueRoot, inlineLimit: 2_000);
        var big = new BuildCompleted("big", string.Concat(Enumerable.Range(0, 2_000).Select(i => $"{i * 7919 % 10007:x}")));
        await queue.PutAsync(new BuildCompleted("small", "OK"), null, Ct);
        await queue.PutAsync(big, null, Ct);

        var events = await queue.ReadAsync(Ct);

        Assert.Null(events[0].SidePath);
        Assert.NotNull(events[1].SidePath);
        Assert.Equal(big, events[1].As<BuildCompleted>());
        Assert.Single((await zk.GetChildrenAsync(QueueRoot + "/data", null, Ct)).Children);
        await queue.AckAsync(events[1], Ct);
        Assert.Empty((await zk.GetChildrenAsync(QueueRoot + "/data", null, Ct)).Children);
        Assert.Equal("small", Assert.Single(await queue.ReadAsync(Ct)).As<BuildCompleted>()!.BuildUuid);
    }

    [Fact]
    public async Task An_event_larger_than_a_znode_round_trips()
    {
        var queue = new EventQueue(await SessionAsync(), QueueRoot);
        var noise = new byte[1_500_000];
        new Random(5).NextBytes(noise);
        var big = new BuildCompleted("huge", Convert.ToBase64String(noise));
        await queue.PutAsync(big, null, Ct);
        Assert.Equal(big, Assert.Single(await queue.ReadAsync(Ct)).As<BuildCompleted>());
    }

    [Fact]
    public async Task A_waiting_consumer_wakes_when_another_session_puts_an_event()
    {
        var consumer = new EventQueue(await SessionAsync(), QueueRoot);
        var producer = new EventQueue(await SessionAsync(), QueueRoot);
        var waiting = consumer.WaitForEventsAsync(Ct);
        await EventuallyAsync(async () => await consumer.CountAsync(Ct) == 0, "the queue exists");
        Assert.False(waiting.IsCompleted);

        await producer.PutAsync(new BuildCompleted("b", "SUCCESS"), null, Ct);

        await Within(waiting, "the consumer to wake");
        Assert.Equal("b", Assert.Single(await consumer.ReadAsync(Ct)).As<BuildCompleted>()!.BuildUuid);
        await consumer.WaitForEventsAsync(Ct); // returns at once while events wait
    }

    [Fact]
    public async Task Events_of_concurrent_producers_are_each_read_once_in_one_total_order()
    {
        var producers = await Task.WhenAll(Enumerable.Range(0, 3).Select(async _ => new EventQueue(await SessionAsync(), QueueRoot)));
        await Task.WhenAll(producers.Select((p, n) => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await p.PutAsync(new BuildCompleted($"{n}-{i}", "x"), null, Ct);
            }
        })));

        var events = await producers[0].ReadAsync(Ct);

        Assert.Equal(30, events.Select(e => e.As<BuildCompleted>()!.BuildUuid).Distinct().Count());
        for (var n = 0; n < 3; n++)
        {
            var mine = events.Select(e => e.As<BuildCompleted>()!.BuildUuid).Where(id => id.StartsWith($"{n}-", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"{n}-{i}"), mine); // each producer's order is kept
        }
        Assert.Equal(events.OrderBy(e => e.Ltime).Select(e => e.Path), events.Select(e => e.Path));
    }
}

public sealed class EventQueueTests : EventQueueContractTests<EmbeddedBackend>;

public sealed class EventQueueIntegrationTests : EventQueueContractTests<RealBackend>;

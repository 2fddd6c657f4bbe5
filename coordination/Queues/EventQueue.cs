using System.Buffers;
using System.Text;
using System.Text.Json;
using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>
/// An ordered event queue in Zuul's shape: each event is a persistent sequential node <c>&lt;root&gt;/queue/q&lt;seq&gt;</c>
/// holding <c>{"event_data": &lt;payload&gt;}</c>; a payload too big for one znode goes to a sharded blob
/// <c>&lt;root&gt;/data/&lt;uuid&gt;</c> and the queue node holds <c>{"event_data_path": "..."}</c> instead. Producers need no
/// lock; one consumer at a time (an election or lock decides who) reads in order and acknowledges each event by
/// deleting it, after it has acted on it, so a consumer that dies mid-way leaves the event for the next one.
/// Payloads are UTF-8 JSON values.
/// </summary>
public sealed class EventQueue
{
    private const string QueuePrefix = "q";
    private readonly IZooKeeper _zk;
    private readonly int _inlineLimit;

    /// <param name="root">E.g. <see cref="ZkPaths.PipelineResultEvents"/>.</param>
    /// <param name="inlineLimit">The largest queue node; bigger events go to a side blob.</param>
    public EventQueue(IZooKeeper zk, string root, int inlineLimit = ShardedBlob.DefaultShardBytes)
    {
        ArgumentNullException.ThrowIfNull(zk);
        ArgumentException.ThrowIfNullOrEmpty(root);
        _zk = zk;
        Root = root;
        _inlineLimit = inlineLimit;
    }

    public string Root { get; }

    private string QueuePath => Root + "/queue";

    private string DataPath => Root + "/data";

    /// <summary>Appends an event; returns its queue node path. <paramref name="utf8Json"/> must be one JSON value.</summary>
    public async Task<string> PutAsync(ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken)
    {
        var envelope = Envelope("event_data", w => w.WriteRawValue(utf8Json.Span));
        if (envelope.Length > _inlineLimit)
        {
            var sidePath = $"{DataPath}/{Guid.NewGuid():N}";
            await new ShardedBlob(_zk, _inlineLimit).WriteAsync(sidePath, utf8Json, ZooKeeperVersion.Any, cancellationToken);
            envelope = Envelope("event_data_path", w => w.WriteStringValue(sidePath));
        }
        return (await _zk.CreateWithParentsAsync($"{QueuePath}/{QueuePrefix}", envelope, CreateOptions.PersistentSequential, cancellationToken)).Path;
    }

    /// <summary>
    /// The create operation that appends an event inside a caller's multi (e.g. a build's completion event written in
    /// the same transaction as the request's state, as Zuul does). Only inline-sized events; call
    /// <see cref="EnsureAsync"/> once first so the queue node exists.
    /// </summary>
    public Op PutOp(ReadOnlyMemory<byte> utf8Json)
    {
        var envelope = Envelope("event_data", w => w.WriteRawValue(utf8Json.Span));
        if (envelope.Length > _inlineLimit)
        {
            throw new ArgumentException($"an event put in a transaction must fit in one znode ({envelope.Length} > {_inlineLimit} bytes)", nameof(utf8Json));
        }
        return new Op.Create($"{QueuePath}/{QueuePrefix}", envelope, CreateOptions.PersistentSequential);
    }

    /// <summary>Creates the queue's nodes if missing.</summary>
    public Task EnsureAsync(CancellationToken cancellationToken) => _zk.EnsurePathAsync(QueuePath, cancellationToken);

    /// <summary>Appends an event given as a serialisable value.</summary>
    public Task<string> PutAsync<T>(T value, JsonSerializerOptions? options, CancellationToken cancellationToken) =>
        PutAsync(JsonSerializer.SerializeToUtf8Bytes(value, options), cancellationToken);

    /// <summary>The events now in the queue, oldest first. Events acknowledged meanwhile are left out.</summary>
    public async Task<IReadOnlyList<QueuedEvent>> ReadAsync(CancellationToken cancellationToken)
    {
        var names = (await _zk.TryGetChildrenAsync(QueuePath, cancellationToken))
            .Where(n => n.StartsWith(QueuePrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal) // fixed-width sequence numbers sort as text
            .ToList();
        // The reads are sent together (the client pipelines them) and taken in queue order: after a gate reset a
        // result queue holds thousands of events, and one round trip each was most of a pass.
        var reads = names.Select(name => ReadEventAsync($"{QueuePath}/{name}", cancellationToken)).ToList();
        var events = new List<QueuedEvent>(names.Count);
        foreach (var read in reads)
        {
            if (await read is { } queued)
            {
                events.Add(queued);
            }
        }
        return events;
    }

    /// <summary>Acknowledges an event: deletes its node, then its side blob. False when it was already acknowledged.</summary>
    public async Task<bool> AckAsync(QueuedEvent queued, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queued);
        var deleted = await _zk.TryDeleteAsync(queued.Path, cancellationToken);
        if (queued.SidePath is not null)
        {
            await _zk.DeleteTreeAsync(queued.SidePath, cancellationToken);
        }
        return deleted;
    }

    /// <summary>The number of events waiting.</summary>
    public async Task<int> CountAsync(CancellationToken cancellationToken) =>
        (await _zk.TryGetChildrenAsync(QueuePath, cancellationToken)).Count;

    /// <summary>Returns once the queue holds at least one event (at once if it does now).</summary>
    public async Task WaitForEventsAsync(CancellationToken cancellationToken)
    {
        await _zk.EnsurePathAsync(QueuePath, cancellationToken);
        while (true)
        {
            var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var children = await _zk.GetChildrenAsync(QueuePath, _ => changed.TrySetResult(), cancellationToken);
            if (children.Children.Count > 0)
            {
                return;
            }
            await changed.Task.WaitAsync(cancellationToken);
        }
    }

    private async Task<QueuedEvent?> ReadEventAsync(string path, CancellationToken cancellationToken)
    {
        var node = await _zk.TryGetDataAsync(path, null, cancellationToken);
        if (node is null)
        {
            return null;
        }
        using var envelope = JsonDocument.Parse(node.Data);
        var sequence = long.Parse(ZkPaths.Name(path).AsSpan(QueuePrefix.Length), System.Globalization.CultureInfo.InvariantCulture);
        if (envelope.RootElement.TryGetProperty("event_data", out var inline))
        {
            return new QueuedEvent(path, sequence, Encoding.UTF8.GetBytes(inline.GetRawText()), node.Stat.Czxid, null);
        }
        var sidePath = envelope.RootElement.GetProperty("event_data_path").GetString()
            ?? throw new InvalidDataException($"the event {path} has a null event_data_path");
        var side = await new ShardedBlob(_zk, _inlineLimit).ReadAsync(sidePath, cancellationToken);
        // No side blob: the event is being acknowledged right now.
        return side is null ? null : new QueuedEvent(path, sequence, side.Data, node.Stat.Czxid, sidePath);
    }

    private static byte[] Envelope(string property, Action<Utf8JsonWriter> writeValue)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName(property);
            writeValue(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>
/// One event read from an <see cref="EventQueue"/>: its node, its position, its payload, and the zxid that created it
/// (a logical time that orders it against every other write in the cluster).
/// </summary>
public sealed record QueuedEvent(string Path, long Sequence, byte[] Payload, long Ltime, string? SidePath)
{
    /// <summary>Deserialises the payload.</summary>
    public T? As<T>(JsonSerializerOptions? options = null) => JsonSerializer.Deserialize<T>(Payload, options);
}

using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gating.Model.Events;

namespace Gating.Model.Json;

/// <summary>
/// The wire form of the events that workers put on a pipeline's result queue
/// (<c>ZkPaths.PipelineResultEvents(tenant, pipeline)</c>): executors (build started/paused/completed), mergers
/// (merge completed/conflict), the node request watcher and the submit step. One JSON object per event:
/// <c>{"type": "build-completed", "event": {...the record's properties in camelCase...}}</c>. Every writer and
/// reader of that queue uses this class, so the executor and the scheduler cannot drift apart.
/// </summary>
public static class ResultEventJson
{
    /// <summary>The serializer options (<see cref="ModelJson.Options"/>).</summary>
    public static JsonSerializerOptions Options => ModelJson.Options;

    private static readonly FrozenDictionary<string, Type> TypesByName = new Dictionary<string, Type>
    {
        ["build-started"] = typeof(BuildStartedEvent),
        ["build-paused"] = typeof(BuildPausedEvent),
        ["build-completed"] = typeof(BuildCompletedEvent),
        ["merge-completed"] = typeof(MergeCompletedEvent),
        ["merge-conflict"] = typeof(MergeConflictEvent),
        ["nodes-provisioned"] = typeof(NodesProvisionedEvent),
        ["nodes-failed"] = typeof(NodesFailedEvent),
        ["submit-completed"] = typeof(SubmitCompletedEvent),
        ["semaphore-released"] = typeof(SemaphoreReleasedEvent),
        ["merge-job-completed"] = typeof(MergeJobCompletedEvent),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<Type, string> NamesByType =
        TypesByName.ToFrozenDictionary(p => p.Value, p => p.Key);

    /// <summary>True for the event types this wire form carries.</summary>
    public static bool IsResultEvent(PipelineEvent evt) => NamesByType.ContainsKey(evt.GetType());

    /// <summary>The UTF-8 JSON of <paramref name="evt"/>.</summary>
    /// <exception cref="ArgumentException">The event is not a result event.</exception>
    public static byte[] Serialize(PipelineEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        if (!NamesByType.TryGetValue(evt.GetType(), out var name))
        {
            throw new ArgumentException($"{evt.GetType().Name} is not a result event", nameof(evt));
        }
        var envelope = new JsonObject
        {
            ["type"] = name,
            ["event"] = JsonSerializer.SerializeToNode(evt, evt.GetType(), Options),
        };
        return JsonSerializer.SerializeToUtf8Bytes(envelope, Options);
    }

    /// <summary>The event in <paramref name="json"/>.</summary>
    /// <exception cref="JsonException">Not a result event envelope, or an unknown type.</exception>
    public static PipelineEvent Deserialize(ReadOnlySpan<byte> json)
    {
        var node = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("a result event must be a JSON object");
        var name = node["type"]?.GetValue<string>() ?? throw new JsonException("a result event needs a \"type\"");
        if (!TypesByName.TryGetValue(name, out var type))
        {
            throw new JsonException($"unknown result event type \"{name}\"");
        }
        var body = node["event"] ?? throw new JsonException($"result event \"{name}\" has no \"event\"");
        return (PipelineEvent)(body.Deserialize(type, Options) ?? throw new JsonException($"result event \"{name}\" is null"));
    }
}

using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Gating.Model;
using Gating.Model.Events;
using Gating.Model.Json;
using Gating.Scheduler.Pipelines;

namespace Gating.Scheduler.State;

/// <summary>
/// The JSON forms of what the scheduler keeps in ZooKeeper: pipeline state, queued pipeline events (all kinds,
/// as <c>{"type": ..., "event": ...}</c>) and pending actions. Built on <see cref="ModelJson.Options"/>, plus a
/// converter for maps keyed by <see cref="ChangeKey"/> (stored as the list of their values).
/// </summary>
public static class SchedulerJson
{
    /// <summary>The options.</summary>
    public static readonly JsonSerializerOptions Options = CreateOptions();

    private static readonly FrozenDictionary<string, Type> EventTypes = new Dictionary<string, Type>
    {
        ["trigger"] = typeof(TriggerEvent),
        ["new-patchset"] = typeof(NewPatchsetEvent),
        ["change-abandoned"] = typeof(ChangeAbandonedEvent),
        ["changes-updated"] = typeof(ChangesUpdatedEvent),
        ["supercede"] = typeof(SupercedeEvent),
        ["merge-completed"] = typeof(MergeCompletedEvent),
        ["merge-conflict"] = typeof(MergeConflictEvent),
        ["job-graph-ready"] = typeof(JobGraphReadyEvent),
        ["job-graph-error"] = typeof(JobGraphErrorEvent),
        ["nodes-provisioned"] = typeof(NodesProvisionedEvent),
        ["nodes-failed"] = typeof(NodesFailedEvent),
        ["build-started"] = typeof(BuildStartedEvent),
        ["build-paused"] = typeof(BuildPausedEvent),
        ["build-completed"] = typeof(BuildCompletedEvent),
        ["submit-completed"] = typeof(SubmitCompletedEvent),
        ["enqueue"] = typeof(EnqueueEvent),
        ["dequeue"] = typeof(DequeueEvent),
        ["promote"] = typeof(PromoteEvent),
        ["semaphore-released"] = typeof(SemaphoreReleasedEvent),
        ["merge-job-completed"] = typeof(MergeJobCompletedEvent),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<Type, string> EventNames = EventTypes.ToFrozenDictionary(p => p.Value, p => p.Key);

    private static readonly FrozenDictionary<string, Type> ActionTypes = new Dictionary<string, Type>
    {
        ["request-merge"] = typeof(RequestMerge),
        ["freeze-job-graph"] = typeof(FreezeJobGraph),
        ["request-nodes"] = typeof(RequestNodes),
        ["cancel-node-request"] = typeof(CancelNodeRequest),
        ["return-nodes"] = typeof(ReturnNodes),
        ["start-build"] = typeof(StartBuild),
        ["cancel-build"] = typeof(CancelBuild),
        ["resume-build"] = typeof(ResumeBuild),
        ["report"] = typeof(Report),
        ["submit"] = typeof(Submit),
        ["item-dequeued"] = typeof(ItemDequeued),
        ["supercede-in"] = typeof(SupercedeIn),
        ["semaphore-released"] = typeof(SemaphoreReleased),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<Type, string> ActionNames = ActionTypes.ToFrozenDictionary(p => p.Value, p => p.Key);

    /// <summary>Any pipeline event as an envelope.</summary>
    public static byte[] SerializeEvent(PipelineEvent evt) => Envelope(EventNames, evt);

    /// <summary>The event in an envelope written by <see cref="SerializeEvent"/> (or by <see cref="ResultEventJson"/>).</summary>
    public static PipelineEvent DeserializeEvent(ReadOnlySpan<byte> json) => (PipelineEvent)Open(EventTypes, json);

    /// <summary>An action as an envelope node.</summary>
    public static JsonNode ActionNode(PipelineAction action) => EnvelopeNode(ActionNames, action);

    /// <summary>The action in an envelope node.</summary>
    public static PipelineAction ActionFrom(JsonNode node) => (PipelineAction)OpenNode(ActionTypes, node);

    private static byte[] Envelope(FrozenDictionary<Type, string> names, object value) =>
        JsonSerializer.SerializeToUtf8Bytes(EnvelopeNode(names, value), Options);

    private static JsonObject EnvelopeNode(FrozenDictionary<Type, string> names, object value)
    {
        if (!names.TryGetValue(value.GetType(), out var name))
        {
            throw new ArgumentException($"{value.GetType().Name} has no wire form", nameof(value));
        }
        return new JsonObject { ["type"] = name, ["event"] = JsonSerializer.SerializeToNode(value, value.GetType(), Options) };
    }

    private static object Open(FrozenDictionary<string, Type> types, ReadOnlySpan<byte> json) =>
        OpenNode(types, JsonNode.Parse(json) ?? throw new JsonException("null envelope"));

    private static object OpenNode(FrozenDictionary<string, Type> types, JsonNode node)
    {
        var name = node["type"]?.GetValue<string>() ?? throw new JsonException("an envelope needs a \"type\"");
        if (!types.TryGetValue(name, out var type))
        {
            throw new JsonException($"unknown type \"{name}\"");
        }
        return node["event"].Deserialize(type, Options) ?? throw new JsonException($"\"{name}\" is null");
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(ModelJson.Options);
        options.Converters.Add(new ChangeMapConverter());
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(SkipComputed);
        options.MakeReadOnly();
        return options;
    }

    /// <summary>
    /// Leaves out the computed properties of the state records (<see cref="PipelineState.AllItems"/> would write every
    /// item a second time, and cannot be written at all for a header whose items are stored apart).
    /// </summary>
    private static void SkipComputed(JsonTypeInfo info)
    {
        if (info.Type != typeof(PipelineState) && info.Type != typeof(QueueItem))
        {
            return;
        }
        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            if (info.Properties[i].Set is null)
            {
                info.Properties.RemoveAt(i);
            }
        }
    }

    /// <summary>Maps keyed by change identity, written as the list of changes (each carries its key).</summary>
    private sealed class ChangeMapConverter : JsonConverter<ImmutableDictionary<ChangeKey, Change>>
    {
        public override ImmutableDictionary<ChangeKey, Change> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var list = JsonSerializer.Deserialize<List<Change>>(ref reader, options) ?? [];
            return list.ToImmutableDictionary(c => c.Key);
        }

        public override void Write(Utf8JsonWriter writer, ImmutableDictionary<ChangeKey, Change> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.Values.OrderBy(c => c.Key.ToString(), StringComparer.Ordinal), options);
    }
}

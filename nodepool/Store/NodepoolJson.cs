using System.Collections.Immutable;
using System.Text.Json;
using Gating.Model;

namespace Gating.Nodepool.Store;

/// <summary>
/// Node requests and nodes as the JSON bodies of their znodes, with Nodepool's field names (reference/zuul.md
/// 1.4), so Zuul-compatible tools read them. Times are epoch seconds (floats); the id is the znode name.
/// </summary>
public static partial class NodepoolJson
{
    /// <summary>The JSON body of a request znode.</summary>
    public static byte[] Write(NodeRequest request) => WriteObject(w =>
    {
        w.WriteString("state", request.State.ToWire());
        w.WriteNumber("state_time", Seconds(request.StateTime));
        WriteStrings(w, "declined_by", request.DeclinedBy);
        WriteStrings(w, "node_types", request.Labels);
        WriteStrings(w, "nodes", request.NodeIds);
        w.WriteBoolean("reuse", request.Reuse);
        w.WriteString("requestor", request.Requestor);
        if (request.RequestorData is { } data)
        {
            w.WriteStartObject("requestor_data");
            w.WriteString("build_set_uuid", data.BuildSetUuid);
            w.WriteString("tenant_name", data.TenantName);
            w.WriteString("pipeline_name", data.PipelineName);
            w.WriteString("job_uuid", data.JobUuid);
            w.WriteString("job_name", data.JobName);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("requestor_data");
        }

        WriteNullable(w, "provider", request.Provider);
        w.WriteNumber("relative_priority", request.RelativePriority);
        WriteNullable(w, "event_id", request.EventId);
        w.WriteNumber("created_time", Seconds(request.CreatedTime));
        WriteNullable(w, "tenant_name", request.TenantName);
    });

    /// <summary>Reads a request znode's body; <paramref name="id"/> is its name ("200-0000000007").</summary>
    public static NodeRequest ReadRequest(string id, ReadOnlySpan<byte> json)
    {
        using var doc = JsonDocument.Parse(json.ToArray());
        var r = doc.RootElement;
        var state = NodeStates.ParseRequestState(Str(r, "state") ?? "")
            ?? throw new FormatException($"request {id} has an unknown state '{Str(r, "state")}'");
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        var priority = dash > 0 && int.TryParse(id.AsSpan(0, dash), out var p) ? p : NodeRequest.NormalPriority;
        NodeRequestorData? data = null;
        if (r.TryGetProperty("requestor_data", out var d) && d.ValueKind == JsonValueKind.Object)
        {
            data = new NodeRequestorData(Str(d, "build_set_uuid") ?? "", Str(d, "tenant_name") ?? "", Str(d, "pipeline_name") ?? "",
                Str(d, "job_uuid") ?? "", Str(d, "job_name") ?? "");
        }

        return new NodeRequest(id, state, Time(r, "state_time"), Strings(r, "node_types"), Str(r, "requestor") ?? "")
        {
            Priority = priority,
            DeclinedBy = Strings(r, "declined_by"),
            NodeIds = Strings(r, "nodes"),
            Reuse = !r.TryGetProperty("reuse", out var reuse) || reuse.ValueKind != JsonValueKind.False,
            RequestorData = data,
            Provider = Str(r, "provider"),
            RelativePriority = r.TryGetProperty("relative_priority", out var rp) && rp.ValueKind == JsonValueKind.Number ? rp.GetInt32() : 0,
            EventId = Str(r, "event_id"),
            CreatedTime = Time(r, "created_time"),
            TenantName = Str(r, "tenant_name"),
        };
    }

    private static byte[] WriteObject(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static double Seconds(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).TotalSeconds;

    private static DateTimeOffset Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? DateTimeOffset.UnixEpoch + TimeSpan.FromSeconds(v.GetDouble())
            : DateTimeOffset.UnixEpoch;

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static ImmutableArray<string> Strings(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? [.. v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)]
            : [];

    private static void WriteStrings(Utf8JsonWriter w, string name, ImmutableArray<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values.IsDefault ? [] : values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}

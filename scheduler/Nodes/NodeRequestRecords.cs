using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gating.Scheduler.Pipelines;

namespace Gating.Scheduler.Nodes;

/// <summary>
/// The scheduler's own record of one node request, at <c>NodepoolNodeProvisioner.TrackingPath(request id)</c>:
/// which pipeline the answer goes to and which nodepool request (znode name) stands for it. It makes every
/// provisioner method idempotent and the answer exactly-once (the answer event and <see cref="Answered"/> are
/// written in one multi).
/// </summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="Pipeline">The pipeline whose result queue gets the answer.</param>
/// <param name="RequestId">The core's request id.</param>
/// <param name="NodepoolId">The nodepool request's znode name ("200-0000000007"); null until submitted.</param>
/// <param name="Answered">The nodes-provisioned or nodes-failed event was put.</param>
/// <param name="Cancelled">Withdrawn: the watcher ignores it and it is about to go.</param>
/// <param name="Nodes">The nodes it was fulfilled with.</param>
public sealed record TrackedNodeRequest(
    string Tenant,
    string Pipeline,
    string RequestId,
    string? NodepoolId,
    bool Answered,
    bool Cancelled,
    ImmutableArray<string> Nodes)
{
    /// <summary>The record's znode body.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);

    /// <summary>Reads a record's znode body.</summary>
    public static TrackedNodeRequest FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<TrackedNodeRequest>(json) is { } r ? r with { Nodes = r.Nodes.IsDefault ? [] : r.Nodes } : throw new FormatException("empty node request record");
}

/// <summary>
/// Nodepool's request znode body (reference/zuul.md 1.4; the field names nodepool/Store/NodepoolJson reads), written
/// and read here because the scheduler depends on nodepool's data layout, not on the launcher's code.
/// </summary>
public static class NodepoolRequestJson
{
    /// <summary>The body of a new request in state <c>requested</c>.</summary>
    public static byte[] Write(string tenant, string pipeline, RequestNodes request, string requestor, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var seconds = (now - DateTimeOffset.UnixEpoch).TotalSeconds;
        var body = new JsonObject
        {
            ["state"] = "requested",
            ["state_time"] = seconds,
            ["declined_by"] = new JsonArray(),
            ["node_types"] = new JsonArray([.. request.Nodeset.Nodes.Select(n => (JsonNode)JsonValue.Create(n.Label))]),
            ["nodes"] = new JsonArray(),
            ["reuse"] = true,
            ["requestor"] = requestor,
            ["requestor_data"] = new JsonObject
            {
                ["build_set_uuid"] = request.BuildSetId,
                ["tenant_name"] = tenant,
                ["pipeline_name"] = pipeline,
                // The core's request id: what finds the request again after a crash between submit and bookkeeping.
                ["job_uuid"] = request.RequestId,
                ["job_name"] = request.Job,
            },
            ["provider"] = null,
            ["relative_priority"] = request.RelativePriority,
            ["event_id"] = null,
            ["created_time"] = seconds,
            ["tenant_name"] = tenant,
        };
        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    /// <summary>The request's <c>state</c>, node ids and <c>requestor_data.job_uuid</c>.</summary>
    public static (string State, ImmutableArray<string> Nodes, string? JobUuid) Read(ReadOnlySpan<byte> json)
    {
        if (JsonNode.Parse(json.ToArray()) is not JsonObject r)
        {
            return ("", [], null);
        }
        var state = r["state"] is JsonValue s && s.TryGetValue<string>(out var text) ? text : "";
        var nodes = r["nodes"] is JsonArray a ? a.Select(n => n?.GetValue<string>() ?? "").ToImmutableArray() : [];
        var job = r["requestor_data"] is JsonObject d && d["job_uuid"] is JsonValue j && j.TryGetValue<string>(out var uuid) ? uuid : null;
        return (state, nodes, job);
    }

    /// <summary>Nodepool's priority prefix for a pipeline precedence (high 100, normal 200, low 300).</summary>
    public static int Priority(int precedence) => precedence is 100 or 200 or 300 ? precedence : 200;
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gating.Coordination;

/// <summary>The states of a job request (reference/zuul.md section 4.1); serialised lower-case as Zuul writes them.</summary>
public enum JobRequestState
{
    Unsubmitted,
    Requested,
    Running,
    Paused,
    Completed,
    Hold,
}

/// <summary>Zuul's precedence values: lower is served first.</summary>
public static class JobPrecedence
{
    public const int High = 100;
    public const int Normal = 200;
    public const int Low = 300;
}

/// <summary>Who runs a request: the executor's host (and its log streaming port), so the web can find the build.</summary>
public sealed record JobWorker(string Hostname, int? LogPort = null, string? Zone = null);

/// <summary>
/// A request in a <see cref="JobRequestQueue{TData}"/>: the queue's common fields plus the caller's
/// <typeparamref name="TData"/> (build or merge details). <see cref="Version"/> and <see cref="Czxid"/> come from the
/// znode's stat: the version for compare-and-set, the creation zxid for ordering.
/// </summary>
public sealed record JobRequest<TData>
{
    public required string Uuid { get; init; }

    public JobRequestState State { get; init; } = JobRequestState.Requested;

    public int Precedence { get; init; } = JobPrecedence.Normal;

    public required TData Data { get; init; }

    public JobWorker? WorkerInfo { get; init; }

    /// <summary>
    /// The request's place among the requests created by the same transaction (they share one creation zxid, see
    /// <see cref="JobRequestQueue{TData}.SubmitManyAsync"/>): orders them after <see cref="Czxid"/>. Null for a request
    /// submitted alone.
    /// </summary>
    public int? TransactionIndex { get; init; }

    /// <summary>The znode version this was read at; -1 before it was stored.</summary>
    [JsonIgnore]
    public int Version { get; init; } = -1;

    /// <summary>The zxid that created the request: requests of equal precedence are served in this order.</summary>
    [JsonIgnore]
    public long Czxid { get; init; }
}

/// <summary>The cancel and resume signals a requestor sends to the worker (children of the request node).</summary>
public enum JobSignal
{
    Cancel,
    Resume,
}

/// <summary>What <see cref="JobRequestQueue{TData}.CancelAsync"/> did.</summary>
public enum CancelOutcome
{
    /// <summary>No worker had taken it: it was completed as cancelled without running.</summary>
    CompletedBeforeStart,

    /// <summary>A worker holds it: the cancel signal was sent and the worker completes it.</summary>
    Signalled,

    /// <summary>It is already completed or gone.</summary>
    NotFound,
}

internal static class JobRequestJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

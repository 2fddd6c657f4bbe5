using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>
/// A request for a set of nodes, with the fields of Nodepool's request znode (reference/zuul.md 1.4 and 5.2):
/// <c>/nodepool/requests/&lt;priority&gt;-&lt;sequence&gt;</c>. Requests are handled in the order of
/// (<see cref="Priority"/>, <see cref="RelativePriority"/>, <see cref="Sequence"/>).
/// </summary>
/// <param name="Id">The znode name, e.g. "200-0000000007".</param>
/// <param name="State">requested, pending, fulfilled or failed.</param>
/// <param name="StateTime">When <see cref="State"/> last changed.</param>
/// <param name="Labels">The label of each wanted node, in nodeset order (Nodepool's <c>node_types</c>).</param>
/// <param name="Requestor">Who asked: a Zuul system id, or <see cref="NodeRequest.MinReadyRequestor"/>.</param>
public sealed record NodeRequest(
    string Id,
    NodeRequestState State,
    DateTimeOffset StateTime,
    ImmutableArray<string> Labels,
    string Requestor)
{
    /// <summary>The requestor name of the launcher's own min-ready requests.</summary>
    public const string MinReadyRequestor = "NodePool:min-ready";

    /// <summary>Zuul's priority prefixes: high 100, normal 200, low 300; min-ready 900.</summary>
    public const int HighPriority = 100, NormalPriority = 200, LowPriority = 300, MinReadyPriority = 900;

    /// <summary>The priority prefix of the znode name (lower first).</summary>
    public int Priority { get; init; } = NormalPriority;

    /// <summary>The position among requests of one priority (lower first); revised as queues move.</summary>
    public int RelativePriority { get; init; }

    /// <summary>The pool ids ("provider-pool") that declined the request.</summary>
    public ImmutableArray<string> DeclinedBy { get; init; } = [];

    /// <summary>The ids of the allocated nodes, in <see cref="Labels"/> order, once fulfilled.</summary>
    public ImmutableArray<string> NodeIds { get; init; } = [];

    /// <summary>Whether ready nodes may be reused for it.</summary>
    public bool Reuse { get; init; } = true;

    /// <summary>The preferred provider (e.g. the provider of a paused parent job's nodes); null for any.</summary>
    public string? Provider { get; init; }

    /// <summary>The tenant the request is for (tenant quota).</summary>
    public string? TenantName { get; init; }

    /// <summary>What the requestor needs to find its build again when the request completes.</summary>
    public NodeRequestorData? RequestorData { get; init; }

    /// <summary>The event that led to the request, for tracing.</summary>
    public string? EventId { get; init; }

    /// <summary>When the request was made.</summary>
    public DateTimeOffset CreatedTime { get; init; }

    /// <summary>The sequence number of the znode name (the part after the dash); 0 when not yet created.</summary>
    public long Sequence => Id.LastIndexOf('-') is var dash and >= 0 && long.TryParse(Id.AsSpan(dash + 1), out var seq) ? seq : 0;

    /// <summary>True for the launcher's own min-ready requests.</summary>
    public bool IsMinReady => Requestor == MinReadyRequestor;

    /// <summary>True once fulfilled or failed.</summary>
    public bool IsDone => State is NodeRequestState.Fulfilled or NodeRequestState.Failed;

    /// <summary>The znode name for a priority and a sequence number: "200-0000000007".</summary>
    public static string FormatId(int priority, long sequence) => $"{priority:D3}-{sequence:D10}";

    /// <summary>The order launchers handle requests in: priority, relative priority, then sequence.</summary>
    public static readonly IComparer<NodeRequest> HandlingOrder = Comparer<NodeRequest>.Create((a, b) =>
    {
        var c = a.Priority.CompareTo(b.Priority);
        if (c != 0)
        {
            return c;
        }

        c = a.RelativePriority.CompareTo(b.RelativePriority);
        return c != 0 ? c : a.Sequence.CompareTo(b.Sequence);
    });
}

/// <summary>Zuul's <c>requestor_data</c>: the buildset and job a request belongs to.</summary>
public sealed record NodeRequestorData(
    string BuildSetUuid,
    string TenantName,
    string PipelineName,
    string JobUuid,
    string JobName);

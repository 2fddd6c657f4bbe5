using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>
/// The requestor's side of node requests (reference/zuul.md 5.2, "Zuul side"), as pure functions: which request
/// to make for a nodeset, what a completed request means (nodes for the job, the next alternative, or
/// NODE_FAILURE), and the node changes of accepting and returning a nodeset.
/// </summary>
public static class NodeSetRequests
{
    /// <summary>
    /// The request for the <paramref name="choice"/>-th alternative of <paramref name="nodeSet"/> (0 first); null
    /// when the nodeset has no nodes (executor-only jobs make no request) or no such alternative exists.
    /// </summary>
    public static NodeRequest? RequestFor(NodeSet nodeSet, int choice, NodeRequestTemplate template)
    {
        var choices = nodeSet.Choices();
        if (choice < 0 || choice >= choices.Length || choices[choice].Nodes.IsDefaultOrEmpty)
        {
            return null;
        }

        return new NodeRequest("", NodeRequestState.Requested, template.Now, choices[choice].Labels, template.Requestor)
        {
            Priority = template.Priority,
            RelativePriority = template.RelativePriority,
            TenantName = template.RequestorData?.TenantName,
            RequestorData = template.RequestorData,
            Provider = template.PreferredProvider,
            EventId = template.EventId,
            CreatedTime = template.Now,
        };
    }

    /// <summary>What a finished request of the <paramref name="choice"/>-th alternative means for the build.</summary>
    public static NodeSetOutcome Completed(NodeSet nodeSet, int choice, NodeRequest request)
    {
        var choices = nodeSet.Choices();
        if (choice < 0 || choice >= choices.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(choice), choice, $"the nodeset has {choices.Length} choice(s)");
        }

        switch (request.State)
        {
            case NodeRequestState.Fulfilled:
                var nodes = choices[choice].Nodes;
                if (request.NodeIds.Length != nodes.Length)
                {
                    return new NodeSetOutcome.NodeFailure(
                        $"request {request.Id} was fulfilled with {request.NodeIds.Length} node(s) for {nodes.Length} wanted");
                }

                return new NodeSetOutcome.Provisioned(choices[choice],
                    nodes.Select((n, i) => KeyValuePair.Create(n.Name, request.NodeIds[i])).ToImmutableDictionary());
            case NodeRequestState.Failed:
                return choice + 1 < choices.Length
                    ? new NodeSetOutcome.TryAlternative(choice + 1)
                    : new NodeSetOutcome.NodeFailure(
                        $"node request {request.Id} for [{string.Join(", ", request.Labels)}] failed (declined by {string.Join(", ", request.DeclinedBy)}); no alternative left");
            default:
                throw new ArgumentException($"request {request.Id} is still {request.State.ToWire()}", nameof(request));
        }
    }

    /// <summary>
    /// The executor accepts the nodes of a fulfilled request: each must be ready and allocated to it; they become
    /// in-use. Returns the error instead when a node is missing or not the request's.
    /// </summary>
    public static NodeAcceptance Accept(NodeRequest request, IReadOnlyList<Node> nodes, DateTimeOffset now)
    {
        if (request.State != NodeRequestState.Fulfilled)
        {
            return new NodeAcceptance(null, $"request {request.Id} is {request.State.ToWire()}, not fulfilled");
        }

        var byId = nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var accepted = ImmutableArray.CreateBuilder<Node>(request.NodeIds.Length);
        foreach (var id in request.NodeIds)
        {
            if (!byId.TryGetValue(id, out var node))
            {
                return new NodeAcceptance(null, $"node {id} of request {request.Id} no longer exists");
            }

            if (node.State != NodeState.Ready || node.AllocatedTo != request.Id)
            {
                return new NodeAcceptance(null,
                    $"node {id} is {node.State.ToWire()} and allocated to {node.AllocatedTo ?? "nothing"}, not ready for request {request.Id}");
            }

            accepted.Add(node.WithState(NodeState.InUse, now));
        }

        return new NodeAcceptance(accepted.MoveToImmutable(), null);
    }

    /// <summary>The executor returns nodes after the build: in-use nodes become used (held nodes stay held).</summary>
    public static ImmutableArray<Node> Return(IEnumerable<Node> nodes, DateTimeOffset now) =>
        [.. nodes.Select(n => n.State == NodeState.InUse ? n.WithState(NodeState.Used, now) : n)];
}

/// <summary>The requestor's values copied into every request it makes.</summary>
public sealed record NodeRequestTemplate(string Requestor, DateTimeOffset Now)
{
    /// <summary>Priority prefix (100 high, 200 normal, 300 low).</summary>
    public int Priority { get; init; } = NodeRequest.NormalPriority;

    /// <summary>Relative priority within the priority.</summary>
    public int RelativePriority { get; init; }

    /// <summary>The buildset and job the request is for.</summary>
    public NodeRequestorData? RequestorData { get; init; }

    /// <summary>The preferred provider.</summary>
    public string? PreferredProvider { get; init; }

    /// <summary>The event id for tracing.</summary>
    public string? EventId { get; init; }
}

/// <summary>What a completed request means for the build that asked.</summary>
public abstract record NodeSetOutcome
{
    private NodeSetOutcome()
    {
    }

    /// <summary>The nodes are ready: node name -> node id for the chosen alternative.</summary>
    public sealed record Provisioned(NodeSet NodeSet, ImmutableDictionary<string, string> NodeIds) : NodeSetOutcome;

    /// <summary>The request failed; request the alternative with this index next.</summary>
    public sealed record TryAlternative(int Choice) : NodeSetOutcome;

    /// <summary>Every alternative failed: the build ends with NODE_FAILURE.</summary>
    public sealed record NodeFailure(string Reason) : NodeSetOutcome;
}

/// <summary>The accepted nodes (in-use), or why they could not be accepted.</summary>
public sealed record NodeAcceptance(ImmutableArray<Node>? Nodes, string? Error);

namespace Gating.Model;

/// <summary>
/// The life of a node (reference/zuul.md 5.3): init -> building -> (testing) -> ready -> in-use -> used -> deleting
/// -> deleted, with hold, failed and aborted on the side. Wire names are Nodepool's (<see cref="NodeStates"/>).
/// </summary>
public enum NodeState
{
    /// <summary>Record created, not yet locked by its launcher.</summary>
    Init,

    /// <summary>The provider is creating the host.</summary>
    Building,

    /// <summary>Created and being checked before it is handed out.</summary>
    Testing,

    /// <summary>Usable: either allocated to a request or waiting for reuse (min-ready).</summary>
    Ready,

    /// <summary>Locked by the executor that runs a build on it.</summary>
    InUse,

    /// <summary>Returned by its user; waiting to be deleted (or re-registered, for static hosts).</summary>
    Used,

    /// <summary>Kept after a failed build for an operator (autohold).</summary>
    Hold,

    /// <summary>Being deleted by the provider.</summary>
    Deleting,

    /// <summary>Gone from the provider; the record is about to be removed.</summary>
    Deleted,

    /// <summary>The launch failed.</summary>
    Failed,

    /// <summary>The launch stopped for a transient reason (e.g. the cloud was over quota); relaunched, not a failure.</summary>
    Aborted,
}

/// <summary>The node request states of reference/zuul.md 5.2: requested -> pending -> fulfilled | failed.</summary>
public enum NodeRequestState
{
    /// <summary>Waiting for a launcher pool to take it.</summary>
    Requested,

    /// <summary>Taken (and locked) by one launcher pool.</summary>
    Pending,

    /// <summary>Every node is ready and allocated to the request.</summary>
    Fulfilled,

    /// <summary>Every pool declined it, or its nodes could not be launched.</summary>
    Failed,
}

/// <summary>Nodepool's wire names of node and request states ("in-use", "ready", ...).</summary>
public static class NodeStates
{
    /// <summary>The wire name of a node state.</summary>
    public static string ToWire(this NodeState state) => state switch
    {
        NodeState.InUse => "in-use",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>The wire name of a request state.</summary>
    public static string ToWire(this NodeRequestState state) => state.ToString().ToLowerInvariant();

    /// <summary>Parses a node state's wire name; null when it is not one.</summary>
    public static NodeState? ParseNodeState(string wire)
    {
        foreach (var state in Enum.GetValues<NodeState>())
        {
            if (state.ToWire() == wire)
            {
                return state;
            }
        }

        return null;
    }

    /// <summary>Parses a request state's wire name; null when it is not one.</summary>
    public static NodeRequestState? ParseRequestState(string wire)
    {
        foreach (var state in Enum.GetValues<NodeRequestState>())
        {
            if (state.ToWire() == wire)
            {
                return state;
            }
        }

        return null;
    }

    /// <summary>True for the states a launcher may delete once nobody holds the node's lock.</summary>
    public static bool IsDeletableWhenUnlocked(this NodeState state) =>
        state is NodeState.Used or NodeState.InUse or NodeState.Building or NodeState.Failed or NodeState.Deleting
            or NodeState.Aborted or NodeState.Init;

    /// <summary>True for states that count against quota (the host exists or is being made).</summary>
    public static bool CountsAgainstQuota(this NodeState state) => state is not (NodeState.Deleted);
}

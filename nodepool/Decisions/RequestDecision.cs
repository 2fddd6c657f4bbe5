using System.Collections.Immutable;

namespace Gating.Nodepool.Decisions;

/// <summary>What a pool does with one request (reference/zuul.md 5.2 step 2).</summary>
public abstract record RequestDecision
{
    private RequestDecision()
    {
    }

    /// <summary>Why the pool decided so, for logs and tests.</summary>
    public abstract string Reason { get; }

    /// <summary>Not this pool's: leave it for a better pool (or this pool declined it already).</summary>
    public sealed record Leave(string Reason) : RequestDecision
    {
        /// <inheritdoc/>
        public override string Reason { get; } = Reason;
    }

    /// <summary>This pool could serve it, but not now (quota, concurrency, paused): look again later.</summary>
    public sealed record Defer(string Reason) : RequestDecision
    {
        /// <inheritdoc/>
        public override string Reason { get; } = Reason;
    }

    /// <summary>This pool can never serve it: add the pool to declined_by.</summary>
    public sealed record Decline(string Reason) : RequestDecision
    {
        /// <inheritdoc/>
        public override string Reason { get; } = Reason;
    }

    /// <summary>Take it: lock it, set it pending, and carry out the plan (one step per requested label).</summary>
    public sealed record Accept(ImmutableArray<NodeStep> Plan) : RequestDecision
    {
        /// <inheritdoc/>
        public override string Reason => $"reuse {Plan.Count(s => s.ReuseNodeId is not null)}, launch {Plan.Count(s => s.ReuseNodeId is null)}";
    }
}

/// <summary>How one requested node is provided: an existing ready node, or a new launch when ReuseNodeId is null.</summary>
public sealed record NodeStep(string Label, string? ReuseNodeId);

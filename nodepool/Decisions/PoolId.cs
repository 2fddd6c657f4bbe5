using System.Collections.Immutable;
using Gating.Model;

namespace Gating.Nodepool.Decisions;

/// <summary>A pool of a provider; its string form "provider-pool" is what requests' declined_by holds.</summary>
public readonly record struct PoolId(string Provider, string Pool)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Provider}-{Pool}";

    /// <summary>True when the node was made by this pool.</summary>
    public bool Owns(Node node) => node.Provider == Provider && node.Pool == Pool;
}

/// <summary>
/// A launcher pool as the others see it (Nodepool's pool component): which labels it serves, its priority, and
/// whether it takes requests now.
/// </summary>
public sealed record PoolView(PoolId Id, int Priority, ImmutableHashSet<string> Labels)
{
    /// <summary>False when the pool's launcher is gone.</summary>
    public bool Online { get; init; } = true;

    /// <summary>True while the pool waits at quota and takes no new requests.</summary>
    public bool Paused { get; init; }

    /// <summary>True when the pool serves every label of the request.</summary>
    public bool ServesAll(NodeRequest request) => request.Labels.All(Labels.Contains);
}

using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>A resolved nodeset: the nodes to request, their groups, and alternatives to try on node failure.</summary>
/// <param name="Name">The nodeset's name; null for an anonymous inline nodeset.</param>
/// <param name="Nodes">The nodes in order.</param>
/// <param name="Groups">Inventory groups.</param>
/// <param name="Alternatives">Nodesets to try in order, flattened breadth first; empty when this one is the only choice.</param>
public sealed record FrozenNodeset(
    string? Name,
    ImmutableArray<FrozenNode> Nodes,
    ImmutableArray<FrozenNodeGroup> Groups,
    ImmutableArray<FrozenNodeset> Alternatives)
{
    /// <summary>No nodes: the job runs on the executor only.</summary>
    public static readonly FrozenNodeset Empty = new(null, [], [], []);

    /// <summary>How many inventory hosts the nodes make (a node with several names is several hosts on one node).</summary>
    public int NodeCount => Nodes.Length;
}

/// <summary>A node of a nodeset.</summary>
/// <param name="Names">Inventory host names (several share one node).</param>
/// <param name="Label">The label to request from nodepool.</param>
public sealed record FrozenNode(ImmutableArray<string> Names, string Label);

/// <summary>An inventory group.</summary>
/// <param name="Name">Group name.</param>
/// <param name="Nodes">Node names in it.</param>
public sealed record FrozenNodeGroup(string Name, ImmutableArray<string> Nodes);

using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>
/// A job's nodeset (reference/zuul.md 2.6): named nodes with labels, groups of node names, or a list of
/// alternatives tried in order when a request fails. A nodeset with alternatives has no nodes of its own.
/// </summary>
/// <param name="Name">The nodeset's name; null for an anonymous nodeset written inside a job.</param>
/// <param name="Nodes">The nodes; one label each, in order.</param>
public sealed record NodeSet(string? Name, ImmutableArray<NodeSetNode> Nodes)
{
    /// <summary>The empty nodeset: the job runs on the executor only and no request is made.</summary>
    public static readonly NodeSet Empty = new(null, []);

    /// <summary>Named groups of nodes (Ansible inventory groups).</summary>
    public ImmutableArray<NodeSetGroup> Groups { get; init; } = [];

    /// <summary>Nodesets to try in order; each may itself have alternatives.</summary>
    public ImmutableArray<NodeSet> Alternatives { get; init; } = [];

    /// <summary>The labels to request, one per node, in node order.</summary>
    public ImmutableArray<string> Labels => [.. Nodes.Select(n => n.Label)];

    /// <summary>
    /// The concrete nodesets to try, in order: alternatives are flattened depth first; a nodeset without
    /// alternatives is its own single choice.
    /// </summary>
    public ImmutableArray<NodeSet> Choices() =>
        Alternatives.IsDefaultOrEmpty ? [this] : [.. Alternatives.SelectMany(a => a.Choices())];
}

/// <summary>One node of a nodeset. A node written with several names gets one entry per name.</summary>
/// <param name="Name">The inventory host name.</param>
/// <param name="Label">The label the node must have.</param>
public sealed record NodeSetNode(string Name, string Label);

/// <summary>An inventory group of a nodeset.</summary>
/// <param name="Name">The group name.</param>
/// <param name="Nodes">The node names in the group.</param>
public sealed record NodeSetGroup(string Name, ImmutableArray<string> Nodes);

using System.Collections.Immutable;
using Gating.Config.Yaml;

namespace Gating.Config.Model;

/// <summary>A node of a nodeset: one or more inventory names sharing one node, and its label.</summary>
public sealed record NodeConfig(ImmutableArray<string> Names, string Label, SourceLocation Location);

/// <summary>A group of a nodeset: an inventory group name and the node names in it.</summary>
public sealed record NodeGroupConfig(string Name, ImmutableArray<string> Nodes, SourceLocation Location);

/// <summary>
/// A <c>nodeset</c>: nodes and groups, or <c>alternatives</c> (nodeset names or inline nodesets, tried in
/// order). <see cref="Name"/> is null for an anonymous inline nodeset of a job.
/// </summary>
public sealed record NodesetConfig(
    string? Name,
    ImmutableArray<NodeConfig> Nodes,
    ImmutableArray<NodeGroupConfig> Groups,
    ImmutableArray<NodesetRef> Alternatives,
    SourceLocation Location,
    SourceContext Source)
{
    /// <summary>True when this nodeset is a list of alternatives.</summary>
    public bool HasAlternatives => !Alternatives.IsDefaultOrEmpty;
}

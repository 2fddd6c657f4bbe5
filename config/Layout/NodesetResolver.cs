using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Yaml;
using Gating.Model;

namespace Gating.Config.Freezing;

/// <summary>
/// Resolves a job's <c>nodeset</c> (a name or inline, possibly <c>alternatives</c>) to a <see cref="FrozenNodeset"/> and
/// checks it against the tenant: <c>max-nodes-per-job</c> and allowed/disallowed labels, for every alternative.
/// </summary>
internal sealed class NodesetResolver(FreezeLayout layout)
{
    /// <summary>One problem; <c>{job}</c> in the message is replaced by the caller.</summary>
    public sealed record Problem(string Code, SourceLocation At, string Message);

    /// <summary>The resolved nodeset (its first alternative's nodes) and any problems.</summary>
    public sealed record Result(FrozenNodeset Nodeset, ImmutableArray<Problem> Problems);

    /// <summary>Resolves <paramref name="reference"/>.</summary>
    public Result Resolve(NodesetRef reference)
    {
        var problems = ImmutableArray.CreateBuilder<Problem>();
        var alternatives = new List<FrozenNodeset>();
        // Zuul's flattenAlternatives: alternatives in order, nested lists expanded in place, cycles refused.
        Flatten(reference, alternatives, [], problems);
        if (alternatives.Count == 0)
        {
            return new Result(FrozenNodeset.Empty, problems.ToImmutable());
        }
        var max = layout.Tenant.MaxNodesPerJob;
        foreach (var alternative in alternatives)
        {
            if (max != -1 && alternative.NodeCount > max)
            {
                problems.Add(new Problem(FreezeErrorCodes.MaxNodesPerJob, reference.Location,
                    $"the job '{{job}}' exceeds the tenant's max-nodes-per-job {max} with nodeset {alternative.Name ?? "(inline)"} of {alternative.NodeCount} nodes"));
            }
            foreach (var node in alternative.Nodes)
            {
                if (!LabelAllowed(node.Label))
                {
                    problems.Add(new Problem(FreezeErrorCodes.LabelNotAllowed, reference.Location,
                        $"label '{node.Label}' of job '{{job}}' is not allowed in tenant {layout.Tenant.Name}"));
                }
            }
        }
        var first = alternatives[0];
        var all = alternatives.Count > 1 ? alternatives.ToImmutableArray() : [];
        return new Result(first with { Alternatives = all }, problems.ToImmutable());
    }

    private void Flatten(NodesetRef reference, List<FrozenNodeset> output, List<NodesetConfig> history, ImmutableArray<Problem>.Builder problems)
    {
        NodesetConfig? config;
        if (reference.Inline is { } inline)
        {
            config = inline;
        }
        else if (reference.Name is { } name && layout.Nodesets.TryGetValue(name, out var named))
        {
            config = named;
        }
        else
        {
            problems.Add(new Problem(ConfigErrorCodes.UnknownNodeset, reference.Location, $"the nodeset \"{reference.Name}\" was not found"));
            return;
        }
        if (history.Contains(config))
        {
            problems.Add(new Problem(ConfigErrorCodes.InvalidValue, reference.Location, $"nodeset cycle detected on \"{reference.Name ?? config.Name}\""));
            return;
        }
        history.Add(config);
        if (config.HasAlternatives)
        {
            foreach (var alternative in config.Alternatives)
            {
                Flatten(alternative, output, history, problems);
            }
        }
        else
        {
            output.Add(new FrozenNodeset(
                config.Name,
                [.. config.Nodes.Select(n => new FrozenNode(n.Names, n.Label))],
                [.. config.Groups.Select(g => new FrozenNodeGroup(g.Name, g.Nodes))],
                []));
        }
        history.RemoveAt(history.Count - 1);
    }

    private bool LabelAllowed(string label)
    {
        if (layout.Tenant.AllowedLabels is { IsEmpty: false } allowed && !allowed.Any(m => m.Matches(label)))
        {
            return false;
        }
        return layout.Tenant.DisallowedLabels is not { IsEmpty: false } disallowed || !disallowed.Any(m => m.Matches(label));
    }
}

using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Yaml;

namespace Gating.Config.Parsing;

/// <summary>Parses <c>nodeset</c> stanzas, inline nodesets and nodeset references.</summary>
public static class NodesetParser
{
    private static readonly StanzaSchema Schema = new("nodeset", ["name", "nodes", "groups", "alternatives"]);
    private static readonly StanzaSchema NodeSchema = new("node", ["name", "label"]);
    private static readonly StanzaSchema GroupSchema = new("nodeset group", ["name", "nodes"]);

    /// <summary>Parses a <c>nodeset</c> stanza (name required); null when it has an error.</summary>
    public static NodesetConfig? Parse(YamlMapping map, SourceContext source, ErrorSink errors)
    {
        int before = errors.ErrorCount;
        var ns = ParseBody(map, source, errors, anonymous: false);
        return errors.ErrorCount == before ? ns : null;
    }

    /// <summary>Parses a job's <c>nodeset</c> value: a name or an inline (anonymous) nodeset.</summary>
    public static NodesetRef? ParseReference(YamlNode node, SourceContext source, ErrorSink errors)
    {
        switch (node)
        {
            case YamlScalar { Kind: YamlScalarKind.String } s:
                return new NodesetRef(s.Text, null, s.Location);
            case YamlMapping m:
                var inline = ParseBody(m, source, errors, anonymous: true);
                return inline is null ? null : new NodesetRef(null, inline, m.Location);
            default:
                errors.Error(ConfigErrorCodes.InvalidValue, node.Location, $"a nodeset must be a name or a mapping, not {node.Describe()}");
                return null;
        }
    }

    private static NodesetConfig? ParseBody(YamlMapping map, SourceContext source, ErrorSink errors, bool anonymous)
    {
        var r = new StanzaReader(map, "nodeset", errors);
        r.CheckKeys(Schema);
        string? name = r.String("name", required: !anonymous);
        if (!anonymous && name is null) return null;
        var nodes = ImmutableArray.CreateBuilder<NodeConfig>();
        if (r.Node("nodes") is { } nodesNode and not YamlScalar { IsNull: true })
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in nodesNode is YamlSequence seq ? seq.Items : [nodesNode])
            {
                if (item is not YamlMapping nm)
                {
                    errors.Error(ConfigErrorCodes.InvalidValue, item.Location, $"each node must be a mapping {{name, label}}, not {item.Describe()}");
                    continue;
                }
                var nr = new StanzaReader(nm, "node", errors);
                nr.CheckKeys(NodeSchema);
                var nodeNames = nr.StringList("name");
                string? label = nr.String("label", required: true);
                if (nodeNames is null)
                {
                    errors.Error(ConfigErrorCodes.MissingAttribute, nm.Location, "node is missing the required attribute 'name'");
                    continue;
                }
                foreach (var n in nodeNames.Value)
                {
                    if (!names.Add(n)) errors.Error(ConfigErrorCodes.InvalidValue, nm.Location, $"node name '{n}' is used twice in the nodeset");
                }
                if (label is not null) nodes.Add(new NodeConfig(nodeNames.Value, label, nm.Location));
            }
        }
        var groups = ImmutableArray.CreateBuilder<NodeGroupConfig>();
        if (r.Node("groups") is { } groupsNode and not YamlScalar { IsNull: true })
        {
            foreach (var item in groupsNode is YamlSequence seq ? seq.Items : [groupsNode])
            {
                if (item is not YamlMapping gm)
                {
                    errors.Error(ConfigErrorCodes.InvalidValue, item.Location, $"each group must be a mapping {{name, nodes}}, not {item.Describe()}");
                    continue;
                }
                var gr = new StanzaReader(gm, "nodeset group", errors);
                gr.CheckKeys(GroupSchema);
                string? gname = gr.String("name", required: true);
                var members = gr.StringList("nodes") ?? [];
                if (gname is not null) groups.Add(new NodeGroupConfig(gname, members, gm.Location));
            }
        }
        var alternatives = ImmutableArray.CreateBuilder<NodesetRef>();
        if (r.Node("alternatives") is { } altNode and not YamlScalar { IsNull: true })
        {
            if (r.Has("nodes") || r.Has("groups"))
            {
                errors.Error(ConfigErrorCodes.InvalidValue, altNode.Location, "a nodeset has either 'alternatives' or 'nodes'/'groups', not both");
            }
            foreach (var item in altNode is YamlSequence seq ? seq.Items : [altNode])
            {
                if (ParseReference(item, source, errors) is { } alt) alternatives.Add(alt);
            }
        }
        return new NodesetConfig(name, nodes.ToImmutable(), groups.ToImmutable(), alternatives.ToImmutable(), map.Location, source);
    }
}

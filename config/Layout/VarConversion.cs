using System.Collections.Immutable;
using System.Globalization;
using Gating.Config.Yaml;
using Gating.Model;

namespace Gating.Config.Freezing;

/// <summary>Turns YAML variable trees into <see cref="VarValue"/>s, keeping each scalar's YAML 1.1 type.</summary>
public static class VarConversion
{
    // YAML nodes are immutable and live as long as their layout, so each mapping is converted once.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<YamlMapping, VarMap> s_converted = new();

    /// <summary>Converts a mapping (null gives the empty mapping).</summary>
    public static VarMap ToVarMap(YamlMapping? mapping)
    {
        if (mapping is null || mapping.Count == 0)
        {
            return VarMap.Empty;
        }
        return s_converted.GetValue(mapping, Convert);
    }

    private static VarMap Convert(YamlMapping mapping)
    {
        var entries = ImmutableArray.CreateBuilder<KeyValuePair<string, VarValue>>(mapping.Count);
        foreach (var entry in mapping.Entries)
        {
            var key = entry.Key is YamlScalar s ? s.ToPythonString() : entry.Key.Describe();
            entries.Add(new(key, ToVar(entry.Value)));
        }
        return new VarMap(entries.MoveToImmutable());
    }

    /// <summary>Converts any node. Encrypted values (only legal in secrets) become their chunk list.</summary>
    public static VarValue ToVar(YamlNode node) => node switch
    {
        YamlMapping m => ToVarMap(m),
        YamlSequence s => new VarList([.. s.Items.Select(ToVar)]),
        YamlScalar s => ToScalar(s),
        YamlEncrypted e => new VarList([.. e.Chunks.Select(c => (VarValue)new VarScalar(c))]),
        _ => VarScalar.Null,
    };

    private static VarScalar ToScalar(YamlScalar s) => s.Kind switch
    {
        YamlScalarKind.Null => VarScalar.Null,
        YamlScalarKind.Bool => new VarScalar(s.AsBool() == true ? "true" : "false", VarScalarKind.Bool),
        YamlScalarKind.Int => s.AsInt64() is { } i
            ? new VarScalar(i.ToString(CultureInfo.InvariantCulture), VarScalarKind.Int)
            : new VarScalar(s.Text),
        YamlScalarKind.Float => new VarScalar(s.ToPythonString(), VarScalarKind.Float),
        _ => new VarScalar(s.Text),
    };
}

using System.Collections.Immutable;
using System.Globalization;

namespace Gating.Config.Yaml;

/// <summary>The YAML 1.1 type a scalar resolves to, as PyYAML's SafeLoader resolves it.</summary>
public enum YamlScalarKind
{
    /// <summary>A string (quoted, block, or a plain scalar no other rule matched).</summary>
    String,
    /// <summary><c>~</c>, <c>null</c>, <c>Null</c>, <c>NULL</c> or empty.</summary>
    Null,
    /// <summary>yes/no/on/off/true/false in their lower, Title and UPPER forms.</summary>
    Bool,
    /// <summary>Decimal, octal (<c>0755</c>), hex (<c>0x1f</c>), binary (<c>0b101</c>) or sexagesimal.</summary>
    Int,
    /// <summary><c>3.11</c>, <c>1.5e+3</c>, <c>.inf</c>, <c>.nan</c>: needs a dot, as in YAML 1.1.</summary>
    Float,
    /// <summary>A YAML 1.1 timestamp (<c>2001-12-14</c>); kept as text.</summary>
    Timestamp,
}

/// <summary>Which override control tag (<c>!inherit</c>, <c>!override</c>) a value carries.</summary>
public enum OverrideControl
{
    /// <summary>No tag: the attribute's default merge rule applies.</summary>
    Default,
    /// <summary><c>!inherit</c>: merge with the inherited value.</summary>
    Inherit,
    /// <summary><c>!override</c>: replace the inherited value.</summary>
    Override,
}

/// <summary>An immutable YAML node with its source location. Aliases share the node of their anchor.</summary>
public abstract class YamlNode
{
    private protected YamlNode(SourceLocation location, string? tag)
    {
        Location = location;
        Tag = tag;
    }

    /// <summary>Where the node starts.</summary>
    public SourceLocation Location { get; }

    /// <summary>The explicit tag (<c>!inherit</c>, <c>!override</c>, <c>!encrypted/pkcs1-oaep</c>...), or null.</summary>
    public string? Tag { get; }

    /// <summary>The override control given by the node's tag.</summary>
    public OverrideControl OverrideControl => Tag switch
    {
        YamlTags.Inherit => OverrideControl.Inherit,
        YamlTags.Override => OverrideControl.Override,
        _ => OverrideControl.Default,
    };

    /// <summary>A short name of the node's type for messages ("a string", "a list", "a mapping").</summary>
    public abstract string Describe();
}

/// <summary>A scalar: its text and its YAML 1.1 resolved kind.</summary>
public sealed class YamlScalar : YamlNode
{
    /// <summary>Creates a scalar.</summary>
    public YamlScalar(string text, YamlScalarKind kind, SourceLocation location, string? tag = null, bool quoted = false)
        : base(location, tag)
    {
        Text = text;
        Kind = kind;
        Quoted = quoted;
    }

    /// <summary>The scalar's text as written (after YAML unescaping and folding).</summary>
    public string Text { get; }

    /// <summary>The resolved type.</summary>
    public YamlScalarKind Kind { get; }

    /// <summary>True when the scalar was quoted or a block scalar (never resolved to a non-string).</summary>
    public bool Quoted { get; }

    /// <summary>True for a null scalar.</summary>
    public bool IsNull => Kind == YamlScalarKind.Null;

    /// <summary>The boolean value, if the scalar is a YAML 1.1 bool.</summary>
    public bool? AsBool() => Kind == YamlScalarKind.Bool ? YamlScalarResolver.ParseBool(Text) : null;

    /// <summary>The integer value, if the scalar is a YAML 1.1 int that fits in 64 bits.</summary>
    public long? AsInt64() => Kind == YamlScalarKind.Int ? YamlScalarResolver.ParseInt(Text) : null;

    /// <summary>The floating point value, if the scalar is a YAML 1.1 float.</summary>
    public double? AsDouble() => Kind == YamlScalarKind.Float ? YamlScalarResolver.ParseFloat(Text) : null;

    /// <summary>
    /// The text Python would produce with <c>str()</c> of the resolved value (so <c>3.10</c> reads back as
    /// <c>3.1</c>, <c>yes</c> as <c>True</c>); strings are returned as written.
    /// </summary>
    public string ToPythonString() => Kind switch
    {
        YamlScalarKind.Bool => AsBool() == true ? "True" : "False",
        YamlScalarKind.Null => "None",
        YamlScalarKind.Int => AsInt64()?.ToString(CultureInfo.InvariantCulture) ?? Text,
        YamlScalarKind.Float => YamlScalarResolver.FormatFloat(AsDouble() ?? 0),
        _ => Text,
    };

    /// <inheritdoc />
    public override string Describe() => Kind switch
    {
        YamlScalarKind.Null => "null",
        YamlScalarKind.Bool => "a boolean",
        YamlScalarKind.Int => "an integer",
        YamlScalarKind.Float => "a float",
        _ => "a string",
    };

    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>A sequence of nodes.</summary>
public sealed class YamlSequence : YamlNode
{
    /// <summary>Creates a sequence.</summary>
    public YamlSequence(ImmutableArray<YamlNode> items, SourceLocation location, string? tag = null)
        : base(location, tag) => Items = items;

    /// <summary>The items in order.</summary>
    public ImmutableArray<YamlNode> Items { get; }

    /// <inheritdoc />
    public override string Describe() => "a list";
}

/// <summary>One key/value pair of a mapping.</summary>
public readonly record struct YamlEntry(YamlNode Key, YamlNode Value)
{
    /// <summary>The key's text ("" for a non-scalar key).</summary>
    public string KeyText => Key is YamlScalar s ? s.Text : "";
}

/// <summary>A mapping; merge keys are already applied and duplicate keys already reported.</summary>
public sealed class YamlMapping : YamlNode
{
    /// <summary>Creates a mapping.</summary>
    public YamlMapping(ImmutableArray<YamlEntry> entries, SourceLocation location, string? tag = null)
        : base(location, tag) => Entries = entries;

    /// <summary>The entries in order.</summary>
    public ImmutableArray<YamlEntry> Entries { get; }

    /// <summary>Number of entries.</summary>
    public int Count => Entries.Length;

    /// <summary>Finds the entry with a scalar key equal to <paramref name="key"/> (mappings are small: linear scan).</summary>
    public bool TryGetEntry(string key, out YamlEntry entry)
    {
        foreach (var e in Entries)
        {
            if (e.Key is YamlScalar s && string.Equals(s.Text, key, StringComparison.Ordinal))
            {
                entry = e;
                return true;
            }
        }
        entry = default;
        return false;
    }

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public YamlNode? Get(string key) => TryGetEntry(key, out var e) ? e.Value : null;

    /// <inheritdoc />
    public override string Describe() => "a mapping";
}

/// <summary>An <c>!encrypted/pkcs1-oaep</c> value: one base64 chunk, or a list of chunks for long data.</summary>
public sealed class YamlEncrypted : YamlNode
{
    /// <summary>Creates an encrypted value.</summary>
    public YamlEncrypted(ImmutableArray<string> chunks, SourceLocation location)
        : base(location, YamlTags.Encrypted) => Chunks = chunks;

    /// <summary>The base64 ciphertext chunks, as written (whitespace is removed when decoding).</summary>
    public ImmutableArray<string> Chunks { get; }

    /// <inheritdoc />
    public override string Describe() => "an encrypted value";
}

/// <summary>The tags Zuul's loader knows.</summary>
public static class YamlTags
{
    /// <summary>RSA-OAEP encrypted secret data.</summary>
    public const string Encrypted = "!encrypted/pkcs1-oaep";
    /// <summary>Merge with the inherited value.</summary>
    public const string Inherit = "!inherit";
    /// <summary>Replace the inherited value.</summary>
    public const string Override = "!override";
    /// <summary>Ansible's unsafe marker; read as a plain string.</summary>
    public const string Unsafe = "!unsafe";
}

using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Yaml;

namespace Gating.Config.Parsing;

/// <summary>The attribute names a stanza kind accepts, and the newer ones accepted with a warning.</summary>
public sealed class StanzaSchema
{
    /// <summary>Creates a schema.</summary>
    public StanzaSchema(string what, IEnumerable<string> known, IEnumerable<string>? newer = null)
    {
        What = what;
        Known = known.ToFrozenSet(StringComparer.Ordinal);
        Newer = (newer ?? []).ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>Name of the object kind for messages.</summary>
    public string What { get; }
    /// <summary>Accepted attributes.</summary>
    public FrozenSet<string> Known { get; }
    /// <summary>Accepted with an <c>unsupported-attribute</c> warning.</summary>
    public FrozenSet<string> Newer { get; }
}

/// <summary>
/// Reads typed attributes from one stanza's mapping, reporting wrong types as <c>invalid-value</c> at the value
/// and unknown keys as <c>unknown-attribute</c> at the key. Readers return null for "absent or invalid".
/// </summary>
public readonly struct StanzaReader
{
    private readonly YamlMapping _map;
    private readonly ErrorSink _errors;
    private readonly string _what;

    /// <summary>Creates a reader over <paramref name="map"/>.</summary>
    public StanzaReader(YamlMapping map, string what, ErrorSink errors)
    {
        _map = map;
        _what = what;
        _errors = errors;
    }

    /// <summary>The mapping read.</summary>
    public YamlMapping Map => _map;
    /// <summary>The error sink.</summary>
    public ErrorSink Errors => _errors;

    /// <summary>Reports every key not in <paramref name="schema"/> (newer ones as warnings).</summary>
    public void CheckKeys(StanzaSchema schema, Func<string, bool>? alsoAllowed = null)
    {
        foreach (var e in _map.Entries)
        {
            string key = e.KeyText;
            if (schema.Known.Contains(key) || alsoAllowed?.Invoke(key) == true) continue;
            if (schema.Newer.Contains(key))
            {
                _errors.Warning(ConfigErrorCodes.UnsupportedAttribute, e.Key.Location,
                    $"{schema.What} attribute '{key}' is newer than what Gating implements; accepted and ignored");
                continue;
            }
            _errors.Error(ConfigErrorCodes.UnknownAttribute, e.Key.Location, $"unknown {schema.What} attribute '{key}'");
        }
    }

    /// <summary>The raw node of <paramref name="key"/>, or null.</summary>
    public YamlNode? Node(string key) => _map.Get(key);

    /// <summary>True when the key is present.</summary>
    public bool Has(string key) => _map.TryGetEntry(key, out _);

    /// <summary>The location of the key's value, or the mapping's location.</summary>
    public SourceLocation LocationOf(string key) => _map.Get(key)?.Location ?? _map.Location;

    private void Invalid(YamlNode node, string key, string expected) =>
        _errors.Error(ConfigErrorCodes.InvalidValue, node.Location, $"{_what} attribute '{key}' must be {expected}, not {node.Describe()}");

    /// <summary>A string attribute (a null value reads as absent).</summary>
    public string? String(string key, bool required = false)
    {
        var node = _map.Get(key);
        if (node is null || node is YamlScalar { IsNull: true })
        {
            if (required) _errors.Error(ConfigErrorCodes.MissingAttribute, _map.Location, $"{_what} is missing the required attribute '{key}'");
            return null;
        }
        if (node is YamlScalar { Kind: YamlScalarKind.String or YamlScalarKind.Timestamp } s) return s.Text;
        Invalid(node, key, "a string");
        return null;
    }

    /// <summary>A scalar read as text whatever its YAML type (versions like <c>9</c> or <c>'11'</c>, branch names).</summary>
    public string? Text(string key)
    {
        var node = _map.Get(key);
        if (node is null || node is YamlScalar { IsNull: true }) return null;
        if (node is YamlScalar s) return s.Kind == YamlScalarKind.String ? s.Text : s.ToPythonString();
        Invalid(node, key, "a scalar");
        return null;
    }

    /// <summary>A boolean attribute.</summary>
    public bool? Bool(string key)
    {
        var node = _map.Get(key);
        if (node is null || node is YamlScalar { IsNull: true }) return null;
        if (node is YamlScalar { Kind: YamlScalarKind.Bool } s) return s.AsBool();
        Invalid(node, key, "a boolean");
        return null;
    }

    /// <summary>An integer attribute.</summary>
    public int? Int(string key)
    {
        var node = _map.Get(key);
        if (node is null || node is YamlScalar { IsNull: true }) return null;
        if (node is YamlScalar { Kind: YamlScalarKind.Int } s && s.AsInt64() is { } v && v is >= int.MinValue and <= int.MaxValue) return (int)v;
        Invalid(node, key, "an integer");
        return null;
    }

    /// <summary>One of <paramref name="allowed"/> values.</summary>
    public string? Choice(string key, params string[] allowed)
    {
        var node = _map.Get(key);
        if (node is null || node is YamlScalar { IsNull: true }) return null;
        if (node is YamlScalar s)
        {
            string text = s.Kind == YamlScalarKind.Bool ? (s.AsBool() == true ? "true" : "false") : s.Text;
            if (Array.IndexOf(allowed, text) >= 0) return text;
        }
        _errors.Error(ConfigErrorCodes.InvalidValue, node.Location, $"{_what} attribute '{key}' must be one of {string.Join(", ", allowed)}");
        return null;
    }

    /// <summary>A mapping attribute.</summary>
    public YamlMapping? Mapping(string key)
    {
        var node = _map.Get(key);
        if (node is null || node is YamlScalar { IsNull: true }) return null;
        if (node is YamlMapping m) return m;
        Invalid(node, key, "a mapping");
        return null;
    }

    /// <summary>A string or a list of strings.</summary>
    public ImmutableArray<string>? StringList(string key) => StringListWithLocations(key) is { } l ? [.. l.Select(x => x.Name)] : null;

    /// <summary>A string or a list of strings, each with its location.</summary>
    public ImmutableArray<(string Name, SourceLocation Location)>? StringListWithLocations(string key)
    {
        var node = _map.Get(key);
        if (node is null || node is YamlScalar { IsNull: true }) return null;
        return ValueReaders.StringList(node, key, _what, _errors);
    }

    /// <summary>A regex or list of regexes (each a string or <c>{regex, negate}</c>).</summary>
    public ImmutableArray<RegexMatcher>? Regexes(string key)
    {
        var node = _map.Get(key);
        if (node is null || node is YamlScalar { IsNull: true }) return null;
        return ValueReaders.Regexes(node, key, _what, _errors);
    }
}

/// <summary>Readers for values shared by several stanzas.</summary>
public static class ValueReaders
{
    /// <summary>A string or list of strings.</summary>
    public static ImmutableArray<(string Name, SourceLocation Location)>? StringList(YamlNode node, string key, string what, ErrorSink errors)
    {
        if (node is YamlScalar { Kind: YamlScalarKind.String } one) return [(one.Text, one.Location)];
        if (node is YamlSequence seq)
        {
            var b = ImmutableArray.CreateBuilder<(string, SourceLocation)>(seq.Items.Length);
            foreach (var item in seq.Items)
            {
                if (item is YamlScalar { Kind: YamlScalarKind.String } s) b.Add((s.Text, s.Location));
                else errors.Error(ConfigErrorCodes.InvalidValue, item.Location, $"{what} attribute '{key}' must list strings, not {item.Describe()}");
            }
            return b.MoveToImmutable2();
        }
        errors.Error(ConfigErrorCodes.InvalidValue, node.Location, $"{what} attribute '{key}' must be a string or a list of strings, not {node.Describe()}");
        return null;
    }

    /// <summary>A regex or list of regexes.</summary>
    public static ImmutableArray<RegexMatcher>? Regexes(YamlNode node, string key, string what, ErrorSink errors)
    {
        var b = ImmutableArray.CreateBuilder<RegexMatcher>();
        if (node is YamlSequence seq)
        {
            foreach (var item in seq.Items) AddRegex(item, key, what, errors, b);
        }
        else
        {
            AddRegex(node, key, what, errors, b);
        }
        return b.ToImmutable();
    }

    private static void AddRegex(YamlNode node, string key, string what, ErrorSink errors, ImmutableArray<RegexMatcher>.Builder into)
    {
        string? pattern = null;
        bool negate = false;
        if (node is YamlScalar { IsNull: false } s)
        {
            pattern = s.Kind == YamlScalarKind.String ? s.Text : s.ToPythonString();
        }
        else if (node is YamlMapping m)
        {
            var r = new StanzaReader(m, $"{what} '{key}' regex", errors);
            r.CheckKeys(RegexSchema);
            pattern = r.Text("regex");
            negate = r.Bool("negate") ?? false;
            if (pattern is null)
            {
                errors.Error(ConfigErrorCodes.MissingAttribute, m.Location, $"{what} attribute '{key}': a regex mapping needs 'regex'");
                return;
            }
        }
        else
        {
            errors.Error(ConfigErrorCodes.InvalidValue, node.Location, $"{what} attribute '{key}' must be a regex string or {{regex, negate}}, not {node.Describe()}");
            return;
        }
        if (CheckRegex(pattern, node.Location, errors)) into.Add(new RegexMatcher(pattern, negate, node.Location));
    }

    /// <summary>Validates a pattern (error when .NET rejects it, warning when RE2 would); true when usable.</summary>
    public static bool CheckRegex(string pattern, SourceLocation at, ErrorSink errors)
    {
        if (!RegexCheckCache.TryGetValue(pattern, out var result))
        {
            result = RegexMatcher.Check(pattern);
            RegexCheckCache[pattern] = result;
        }
        if (result is { } r)
        {
            errors.Add(r.IsError ? ConfigErrorCodes.InvalidRegex : ConfigErrorCodes.RegexNotRe2,
                r.IsError ? ConfigSeverity.Error : ConfigSeverity.Warning, at, r.Message);
            return !r.IsError;
        }
        return true;
    }

    [ThreadStatic] private static Dictionary<string, (bool IsError, string Message)?>? _regexCheckCache;
    private static Dictionary<string, (bool IsError, string Message)?> RegexCheckCache => _regexCheckCache ??= new(StringComparer.Ordinal);

    private static readonly StanzaSchema RegexSchema = new("regex", ["regex", "negate"]);

    /// <summary>An integer with invariant formatting, for messages.</summary>
    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static ImmutableArray<T> MoveToImmutable2<T>(this ImmutableArray<T>.Builder b) =>
        b.Count == b.Capacity ? b.MoveToImmutable() : b.ToImmutable();
}

using System.Collections.Immutable;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Gating.Nodepool.Config;

/// <summary>
/// Reads the fields of one YAML mapping and collects errors with their positions instead of stopping, so one run
/// reports every mistake of a file. <see cref="Finish"/> reports keys nobody asked for (typos).
/// </summary>
internal sealed class YamlMappingReader
{
    private readonly YamlMappingNode _node;
    private readonly ErrorSink _errors;
    private readonly string _what;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public YamlMappingReader(YamlNode node, ErrorSink errors, string what)
    {
        _errors = errors;
        _what = what;
        if (node is YamlMappingNode mapping)
        {
            _node = mapping;
        }
        else
        {
            errors.Add(node, $"{what} must be a mapping");
            _node = new YamlMappingNode();
        }
    }

    public YamlNode? Node(string key)
    {
        _seen.Add(key);
        return _node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
    }

    public string? String(string key, bool required = false)
    {
        var node = Node(key);
        if (node is null)
        {
            if (required)
            {
                _errors.Add(_node, $"{_what} needs '{key}'");
            }

            return null;
        }

        if (node is YamlScalarNode scalar && !string.IsNullOrEmpty(scalar.Value))
        {
            return scalar.Value;
        }

        _errors.Add(node, $"'{key}' of {_what} must be a non-empty string");
        return null;
    }

    public int? Int(string key, int min = int.MinValue)
    {
        var value = Long(key, min);
        if (value is > int.MaxValue)
        {
            _errors.Add(Node(key)!, $"'{key}' of {_what} is too large");
            return null;
        }

        return (int?)value;
    }

    public long? Long(string key, long min = long.MinValue)
    {
        var node = Node(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text } && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            if (value < min)
            {
                _errors.Add(node, $"'{key}' of {_what} must be at least {min}, not {value}");
                return null;
            }

            return value;
        }

        _errors.Add(node, $"'{key}' of {_what} must be an integer");
        return null;
    }

    public bool? Bool(string key)
    {
        var node = Node(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text })
        {
            switch (text.ToLowerInvariant())
            {
                case "true" or "yes" or "on":
                    return true;
                case "false" or "no" or "off":
                    return false;
            }
        }

        _errors.Add(node, $"'{key}' of {_what} must be true or false");
        return null;
    }

    /// <summary>A duration in seconds (an integer, as nodepool.yaml writes them).</summary>
    public TimeSpan? Seconds(string key)
    {
        var value = Long(key, min: 0);
        return value is null ? null : TimeSpan.FromSeconds(value.Value);
    }

    /// <summary>A string or a list of strings.</summary>
    public ImmutableArray<string> Strings(string key)
    {
        var node = Node(key);
        switch (node)
        {
            case null:
                return [];
            case YamlScalarNode { Value: { Length: > 0 } one }:
                return [one];
            case YamlSequenceNode seq:
                var items = ImmutableArray.CreateBuilder<string>();
                foreach (var item in seq)
                {
                    if (item is YamlScalarNode { Value: { Length: > 0 } s })
                    {
                        items.Add(s);
                    }
                    else
                    {
                        _errors.Add(item, $"items of '{key}' of {_what} must be strings");
                    }
                }

                return items.ToImmutable();
            default:
                _errors.Add(node, $"'{key}' of {_what} must be a string or a list of strings");
                return [];
        }
    }

    /// <summary>The items of a list of mappings.</summary>
    public IReadOnlyList<YamlNode> List(string key)
    {
        var node = Node(key);
        switch (node)
        {
            case null:
                return [];
            case YamlSequenceNode seq:
                return [.. seq.Children];
            default:
                _errors.Add(node, $"'{key}' of {_what} must be a list");
                return [];
        }
    }

    /// <summary>A mapping of strings to strings.</summary>
    public ImmutableDictionary<string, string> StringMap(string key)
    {
        var node = Node(key);
        switch (node)
        {
            case null:
                return ImmutableDictionary<string, string>.Empty;
            case YamlMappingNode map:
                var result = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
                foreach (var (k, v) in map.Children)
                {
                    if (k is YamlScalarNode { Value: { } ks } && v is YamlScalarNode { Value: { } vs })
                    {
                        result[ks] = vs;
                    }
                    else
                    {
                        _errors.Add(k, $"'{key}' of {_what} must map strings to strings");
                    }
                }

                return result.ToImmutable();
            default:
                _errors.Add(node, $"'{key}' of {_what} must be a mapping");
                return ImmutableDictionary<string, string>.Empty;
        }
    }

    /// <summary>Reports every key of the mapping that no reader method asked for.</summary>
    public void Finish()
    {
        foreach (var key in _node.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? key.ToString();
            if (!_seen.Contains(name))
            {
                _errors.Add(key, $"unknown key '{name}' in {_what}");
            }
        }
    }
}

/// <summary>Collects errors of one file with the line and column of the YAML node they concern.</summary>
internal sealed class ErrorSink(string file)
{
    private readonly List<ProvidersConfigError> _errors = [];

    public IReadOnlyList<ProvidersConfigError> Errors => _errors;

    public void Add(YamlNode node, string message) =>
        _errors.Add(new ProvidersConfigError(file, (int)node.Start.Line, (int)node.Start.Column, message));

    public void Add(int line, int column, string message) => _errors.Add(new ProvidersConfigError(file, line, column, message));
}

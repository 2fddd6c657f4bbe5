using System.Collections.Immutable;
using Gating.Config.Errors;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Gating.Config.Yaml;

/// <summary>The result of reading one YAML file.</summary>
/// <param name="Root">The single document's root node; null when the file is empty or could not be read.</param>
/// <param name="Errors">Problems found; a syntax error or a second document leaves <paramref name="Root"/> null.</param>
/// <param name="BadTopLevelItems">Indexes of top-level list items that hold a duplicate key or bad tag: Zuul
/// rejects those, so the loader skips just those stanzas.</param>
public sealed record YamlDocument(YamlNode? Root, ImmutableArray<ConfigError> Errors, ImmutableHashSet<int> BadTopLevelItems);

/// <summary>
/// Reads YAML text into the immutable <see cref="YamlNode"/> tree with Zuul's rules: YAML 1.1 scalar typing, one
/// document, duplicate keys are errors, <c>&lt;&lt;</c> merge keys, anchors and aliases, and the tags
/// <c>!encrypted/pkcs1-oaep</c>, <c>!inherit</c>, <c>!override</c>. Built on YamlDotNet's event parser only.
/// Never throws.
/// </summary>
public sealed class YamlDocumentReader
{
    private readonly string _file;
    private readonly IParser _parser;
    private readonly Dictionary<string, YamlNode> _anchors = new(StringComparer.Ordinal);
    private readonly List<ConfigError> _errors = [];
    private readonly HashSet<int> _badItems = [];
    private int _depth;
    private int _topItem = -1;
    private bool _rootIsSequence;
    private Mark _lastEnd = new(0, 1, 1);

    private YamlDocumentReader(string text, string file)
    {
        _file = file;
        _parser = new Parser(new StringReader(text));
    }

    /// <summary>Reads <paramref name="text"/>; <paramref name="file"/> names it in locations.</summary>
    public static YamlDocument Read(string text, string file)
    {
        var reader = new YamlDocumentReader(text, file);
        return reader.ReadDocument();
    }

    private YamlDocument ReadDocument()
    {
        YamlNode? root = null;
        try
        {
            Next(); // StreamStart
            Next();
            if (_parser.Current is DocumentStart)
            {
                Next();
                root = ReadNode();
                if (_parser.Current is not DocumentEnd)
                {
                    var cur = _parser.Current;
                    throw new YamlException(cur?.Start ?? Mark.Empty, cur?.End ?? Mark.Empty, "expected the end of the document");
                }
                Next();
                if (_parser.Current is DocumentStart second)
                {
                    _errors.Add(ConfigError.At(ConfigErrorCodes.MultipleDocuments, Loc(second.Start),
                        "the file holds more than one YAML document; Zuul reads exactly one"));
                    root = null;
                }
            }
        }
        catch (YamlException e)
        {
            _errors.Add(ConfigError.At(ConfigErrorCodes.YamlSyntax, Loc(e.Start), CleanMessage(e)));
            root = null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // YamlDotNet's scanner throws other exceptions on some malformed input; the error is just after the
            // last event it produced.
            _errors.Add(ConfigError.At(ConfigErrorCodes.YamlSyntax, Loc(_lastEnd), "malformed YAML after this point"));
            root = null;
        }
        return new YamlDocument(root, [.. _errors], [.. _badItems]);
    }

    private static string CleanMessage(YamlException e)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; the location is already ours.
        string m = e.Message;
        int cut = m.IndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 && m.StartsWith('(') ? m[(cut + 3)..] : m;
    }

    private SourceLocation Loc(Mark mark) => new(_file, Math.Max(1, (int)mark.Line), Math.Max(1, (int)mark.Column));

    private void Next()
    {
        if (!_parser.MoveNext())
        {
            throw new YamlException(_lastEnd, _lastEnd, "unexpected end of the YAML stream");
        }
        _lastEnd = _parser.Current!.End;
    }

    private void Error(string code, SourceLocation at, string message)
    {
        _errors.Add(ConfigError.At(code, at, message));
        if (_rootIsSequence && _topItem >= 0)
        {
            _badItems.Add(_topItem);
        }
    }

    /// <summary>Reads the node at the current event and moves past it.</summary>
    private YamlNode ReadNode()
    {
        var ev = _parser.Current ?? throw new YamlException(_lastEnd, _lastEnd, "unexpected end of the YAML stream");
        Next();
        switch (ev)
        {
            case AnchorAlias alias:
                if (_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    return target;
                }
                Error(ConfigErrorCodes.UnknownAlias, Loc(alias.Start), $"alias *{alias.Value.Value} names no anchor defined before it");
                return new YamlScalar("", YamlScalarKind.Null, Loc(alias.Start));
            case Scalar scalar:
                return Remember(scalar.Anchor, MakeScalar(scalar));
            case SequenceStart seq:
                return Remember(seq.Anchor, ReadSequence(seq));
            case MappingStart map:
                return Remember(map.Anchor, ReadMapping(map));
            default:
                throw new YamlException(ev.Start, ev.End, $"unexpected {ev.GetType().Name}");
        }
    }

    private YamlNode Remember(AnchorName anchor, YamlNode node)
    {
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = node;
        }
        return node;
    }

    private YamlNode MakeScalar(Scalar scalar)
    {
        var at = Loc(scalar.Start);
        string? tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (tag is null || tag == "!")
        {
            if (scalar.Style is ScalarStyle.Plain && tag is null)
            {
                return new YamlScalar(scalar.Value, YamlScalarResolver.Resolve(scalar.Value), at);
            }
            return new YamlScalar(scalar.Value, YamlScalarKind.String, at, quoted: true);
        }
        switch (tag)
        {
            case YamlTags.Encrypted:
                return new YamlEncrypted([scalar.Value], at);
            case YamlTags.Inherit or YamlTags.Override or YamlTags.Unsafe:
                return new YamlScalar(scalar.Value, YamlScalarKind.String, at, tag, quoted: scalar.Style is not ScalarStyle.Plain);
            case "tag:yaml.org,2002:str":
                return new YamlScalar(scalar.Value, YamlScalarKind.String, at, quoted: true);
            case "tag:yaml.org,2002:null" or "tag:yaml.org,2002:bool" or "tag:yaml.org,2002:int" or "tag:yaml.org,2002:float":
                var kind = YamlScalarResolver.Resolve(scalar.Value);
                string wanted = tag[(tag.LastIndexOf(':') + 1)..];
                if (!string.Equals(kind.ToString(), wanted, StringComparison.OrdinalIgnoreCase))
                {
                    Error(ConfigErrorCodes.InvalidValue, at, $"'{scalar.Value}' is not a valid !!{wanted}");
                    return new YamlScalar(scalar.Value, YamlScalarKind.String, at, quoted: true);
                }
                return new YamlScalar(scalar.Value, kind, at);
            default:
                Error(ConfigErrorCodes.UnknownTag, at, $"unknown tag {tag}: Zuul knows !encrypted/pkcs1-oaep, !inherit and !override");
                return new YamlScalar(scalar.Value, YamlScalarKind.String, at, quoted: true);
        }
    }

    private YamlNode ReadSequence(SequenceStart start)
    {
        var at = Loc(start.Start);
        string? tag = start.Tag.IsEmpty ? null : start.Tag.Value;
        bool isRoot = _depth == 0;
        if (isRoot)
        {
            _rootIsSequence = true;
        }
        _depth++;
        var items = ImmutableArray.CreateBuilder<YamlNode>();
        while (_parser.Current is not SequenceEnd)
        {
            if (isRoot)
            {
                _topItem = items.Count;
            }
            items.Add(ReadNode());
        }
        Next();
        _depth--;
        if (isRoot)
        {
            _topItem = -1;
        }
        switch (tag)
        {
            case null or "!" or "tag:yaml.org,2002:seq":
                return new YamlSequence(items.DrainToImmutable(), at);
            case YamlTags.Inherit or YamlTags.Override:
                return new YamlSequence(items.DrainToImmutable(), at, tag);
            case YamlTags.Encrypted:
                var chunks = ImmutableArray.CreateBuilder<string>(items.Count);
                foreach (var item in items)
                {
                    if (item is YamlScalar s && s.Kind != YamlScalarKind.Null)
                    {
                        chunks.Add(s.Text);
                    }
                    else
                    {
                        Error(ConfigErrorCodes.InvalidValue, item.Location, "every chunk of an !encrypted/pkcs1-oaep list must be a base64 string");
                    }
                }
                return new YamlEncrypted(chunks.DrainToImmutable(), at);
            default:
                Error(ConfigErrorCodes.UnknownTag, at, $"unknown tag {tag} on a list");
                return new YamlSequence(items.DrainToImmutable(), at);
        }
    }

    private YamlNode ReadMapping(MappingStart start)
    {
        var at = Loc(start.Start);
        string? tag = start.Tag.IsEmpty ? null : start.Tag.Value;
        _depth++;
        var entries = new List<YamlEntry>();
        List<YamlMapping>? merges = null;
        HashSet<string>? seen = null;
        while (_parser.Current is not MappingEnd)
        {
            var key = ReadNode();
            var value = ReadNode();
            if (key is YamlScalar { Quoted: false, Tag: null, Text: "<<" })
            {
                merges ??= [];
                CollectMerge(value, merges);
                continue;
            }
            string keyText = key is YamlScalar ks ? ks.Text : "";
            if (key is YamlScalar && IsDuplicate(entries, keyText, ref seen))
            {
                Error(ConfigErrorCodes.DuplicateKey, key.Location, $"duplicate key '{keyText}' in the mapping at line {at.Line}");
                continue;
            }
            entries.Add(new YamlEntry(key, value));
        }
        Next();
        _depth--;
        if (merges is not null)
        {
            entries = ApplyMerges(entries, merges, new HashSet<string>(entries.Select(e => e.KeyText), StringComparer.Ordinal));
        }
        if (tag is not (null or "!" or "tag:yaml.org,2002:map" or YamlTags.Inherit or YamlTags.Override))
        {
            Error(ConfigErrorCodes.UnknownTag, at, $"unknown tag {tag} on a mapping");
            tag = null;
        }
        if (tag is "!" or "tag:yaml.org,2002:map")
        {
            tag = null;
        }
        return new YamlMapping([.. entries], at, tag);
    }

    // Most mappings are small: a linear scan beats allocating a set for each one.
    private static bool IsDuplicate(List<YamlEntry> entries, string key, ref HashSet<string>? seen)
    {
        if (seen is null && entries.Count < 12)
        {
            foreach (var e in entries)
            {
                if (e.Key is YamlScalar s && string.Equals(s.Text, key, StringComparison.Ordinal)) return true;
            }
            return false;
        }
        if (seen is null)
        {
            seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in entries) seen.Add(e.KeyText);
        }
        return !seen.Add(key);
    }

    private void CollectMerge(YamlNode value, List<YamlMapping> merges)
    {
        switch (value)
        {
            case YamlMapping m:
                merges.Add(m);
                break;
            case YamlSequence seq:
                foreach (var item in seq.Items)
                {
                    if (item is YamlMapping im)
                    {
                        merges.Add(im);
                    }
                    else
                    {
                        Error(ConfigErrorCodes.InvalidValue, item.Location, "a << merge list may only hold mappings");
                    }
                }
                break;
            default:
                Error(ConfigErrorCodes.InvalidValue, value.Location, "a << merge key needs a mapping or a list of mappings");
                break;
        }
    }

    // PyYAML semantics: explicit keys win over merged ones; among merged mappings the earlier one wins.
    private static List<YamlEntry> ApplyMerges(List<YamlEntry> explicitEntries, List<YamlMapping> merges, HashSet<string>? explicitKeys)
    {
        var result = new List<YamlEntry>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var merge in merges)
        {
            foreach (var entry in merge.Entries)
            {
                string k = entry.KeyText;
                if ((explicitKeys is null || !explicitKeys.Contains(k)) && taken.Add(k))
                {
                    result.Add(entry);
                }
            }
        }
        result.AddRange(explicitEntries);
        return result;
    }
}

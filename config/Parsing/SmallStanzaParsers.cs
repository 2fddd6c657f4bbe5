using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Yaml;

namespace Gating.Config.Parsing;

/// <summary>Parsers of the small stanzas: <c>secret</c>, <c>semaphore</c>, <c>queue</c>, <c>pragma</c>.</summary>
public static class SmallStanzaParsers
{
    private static readonly StanzaSchema SecretSchema = new("secret", ["name", "data", "oidc"]);
    private static readonly StanzaSchema SemaphoreSchema = new("semaphore", ["name", "max"]);
    private static readonly StanzaSchema QueueSchema = new("queue", ["name", "per-branch", "allow-circular-dependencies", "dependencies-by-topic"]);
    private static readonly StanzaSchema PragmaSchema = new("pragma", ["implied-branch-matchers", "implied-branches"]);

    /// <summary>Parses a <c>secret</c>; null when it has an error.</summary>
    public static SecretConfig? ParseSecret(YamlMapping map, SourceContext source, ErrorSink errors)
    {
        int before = errors.ErrorCount;
        var r = new StanzaReader(map, "secret", errors);
        r.CheckKeys(SecretSchema);
        string? name = r.String("name", required: true);
        var data = r.Node("data");
        var oidc = r.Mapping("oidc");
        if (data is null && oidc is null)
        {
            errors.Error(ConfigErrorCodes.MissingAttribute, map.Location, "secret needs 'data' (or 'oidc')");
        }
        return errors.ErrorCount == before && name is not null ? new SecretConfig(name, data, oidc, map.Location, source) : null;
    }

    /// <summary>Parses a <c>semaphore</c>; null when it has an error.</summary>
    public static SemaphoreConfig? ParseSemaphore(YamlMapping map, SourceContext source, ErrorSink errors)
    {
        int before = errors.ErrorCount;
        var r = new StanzaReader(map, "semaphore", errors);
        r.CheckKeys(SemaphoreSchema);
        string? name = r.String("name", required: true);
        int max = r.Int("max") ?? 1;
        if (max < 1) errors.Error(ConfigErrorCodes.InvalidValue, r.LocationOf("max"), "semaphore 'max' must be at least 1");
        return errors.ErrorCount == before && name is not null ? new SemaphoreConfig(name, max, map.Location, source) : null;
    }

    /// <summary>Parses a <c>queue</c>; null when it has an error.</summary>
    public static QueueConfig? ParseQueue(YamlMapping map, SourceContext source, ErrorSink errors)
    {
        int before = errors.ErrorCount;
        var r = new StanzaReader(map, "queue", errors);
        r.CheckKeys(QueueSchema);
        string? name = r.String("name", required: true);
        var q = new QueueConfig(name ?? "", r.Bool("per-branch") ?? false, r.Bool("allow-circular-dependencies") ?? false,
            r.Bool("dependencies-by-topic") ?? false, map.Location, source);
        return errors.ErrorCount == before && name is not null ? q : null;
    }

    /// <summary>Parses a <c>pragma</c>; null when it has an error.</summary>
    public static PragmaConfig? ParsePragma(YamlMapping map, ErrorSink errors)
    {
        int before = errors.ErrorCount;
        var r = new StanzaReader(map, "pragma", errors);
        r.CheckKeys(PragmaSchema);
        var p = new PragmaConfig(r.Bool("implied-branch-matchers"), r.Regexes("implied-branches"), map.Location);
        return errors.ErrorCount == before ? p : null;
    }
}

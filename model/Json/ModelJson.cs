using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gating.Model.Json;

/// <summary>
/// The one set of serializer options for model records that cross process boundaries (build and merge request
/// params, merge results, result events): camelCase, nulls omitted, variables as plain JSON, enums as kebab-case.
/// </summary>
public static class ModelJson
{
    /// <summary>The options.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new VarValueJsonConverter(), new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>UTF-8 JSON of <paramref name="value"/>.</summary>
    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>The <typeparamref name="T"/> in <paramref name="json"/>.</summary>
    /// <exception cref="JsonException">Malformed, or null.</exception>
    public static T Deserialize<T>(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"expected a {typeof(T).Name}, got null");
}

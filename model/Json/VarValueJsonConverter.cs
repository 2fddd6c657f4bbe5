using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gating.Model.Json;

/// <summary>
/// Writes a <see cref="VarValue"/> as the plain JSON value Ansible would see (strings, numbers, booleans, null,
/// arrays, objects in key order) and reads one back. Integers and floats keep their kind: a JSON number with a
/// fraction or exponent reads as a float.
/// </summary>
public sealed class VarValueJsonConverter : JsonConverter<VarValue>
{
    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override bool CanConvert(Type typeToConvert) => typeof(VarValue).IsAssignableFrom(typeToConvert);

    /// <inheritdoc />
    public override VarValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var value = FromElement(document.RootElement);
        if (!typeToConvert.IsInstanceOfType(value))
        {
            throw new JsonException($"expected a JSON {Describe(typeToConvert)}, got {document.RootElement.ValueKind}");
        }
        return value;
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, VarValue value, JsonSerializerOptions options) => WriteValue(writer, value);

    /// <summary>The value of a parsed JSON element.</summary>
    public static VarValue FromElement(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new VarMap(element.EnumerateObject()
            .Select(p => new KeyValuePair<string, VarValue>(p.Name, FromElement(p.Value))).ToImmutableArray()),
        JsonValueKind.Array => new VarList(element.EnumerateArray().Select(FromElement).ToImmutableArray()),
        JsonValueKind.String => new VarScalar(element.GetString()!),
        JsonValueKind.True => new VarScalar("true", VarScalarKind.Bool),
        JsonValueKind.False => new VarScalar("false", VarScalarKind.Bool),
        JsonValueKind.Null or JsonValueKind.Undefined => VarScalar.Null,
        JsonValueKind.Number => NumberOf(element),
        _ => throw new JsonException($"unexpected JSON {element.ValueKind}"),
    };

    /// <summary>Write <paramref name="value"/> as plain JSON.</summary>
    public static void WriteValue(Utf8JsonWriter writer, VarValue? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case VarMap map:
                writer.WriteStartObject();
                foreach (var entry in map.Entries)
                {
                    writer.WritePropertyName(entry.Key);
                    WriteValue(writer, entry.Value);
                }
                writer.WriteEndObject();
                break;
            case VarList list:
                writer.WriteStartArray();
                foreach (var item in list.Items)
                {
                    WriteValue(writer, item);
                }
                writer.WriteEndArray();
                break;
            case VarScalar scalar:
                WriteScalar(writer, scalar);
                break;
            default:
                throw new JsonException($"unknown variable value {value.GetType().Name}");
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, VarScalar scalar)
    {
        switch (scalar.Kind)
        {
            case VarScalarKind.Null:
                writer.WriteNullValue();
                break;
            case VarScalarKind.Bool:
                writer.WriteBooleanValue(scalar.Text == "true");
                break;
            case VarScalarKind.Int or VarScalarKind.Float when IsJsonNumber(scalar.Text):
                writer.WriteRawValue(scalar.Text, skipInputValidation: false);
                break;
            default:
                // Python's str() of inf/nan is not valid JSON: keep the text so nothing is lost.
                writer.WriteStringValue(scalar.Text);
                break;
        }
    }

    private static bool IsJsonNumber(string text) =>
        text.Length > 0 && !text.Contains("inf", StringComparison.OrdinalIgnoreCase) && !text.Contains("nan", StringComparison.OrdinalIgnoreCase)
        && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static VarScalar NumberOf(JsonElement element)
    {
        var text = element.GetRawText();
        var isFloat = text.IndexOfAny(['.', 'e', 'E']) >= 0;
        return new VarScalar(text, isFloat ? VarScalarKind.Float : VarScalarKind.Int);
    }

    private static string Describe(Type type) =>
        type == typeof(VarMap) ? "object" : type == typeof(VarList) ? "array" : type == typeof(VarScalar) ? "scalar" : "value";
}

using System.Text;

namespace Gating.Config.Secrets;

/// <summary>
/// Writes encrypted chunks in the exact text form zuul-client's <c>encrypt</c> prints: a <c>secret</c> stanza whose
/// one field is tagged <c>!encrypted/pkcs1-oaep</c>, each chunk a YAML list item wrapped to 79 columns (Python's
/// <c>textwrap.fill</c> with an 8-space first indent and a 10-space continuation indent). The wrapped lines fold
/// into one scalar with spaces, which base64 decoding ignores.
/// </summary>
public static class EncryptedSecretYaml
{
    /// <summary>zuul-client's placeholder when no <c>--secret-name</c> is given.</summary>
    public const string NamePlaceholder = "<name>";

    /// <summary>zuul-client's placeholder when no <c>--field-name</c> is given.</summary>
    public const string FieldPlaceholder = "<fieldname>";

    private const int Width = 79;
    private const int FirstIndent = 8;
    private const int NextIndent = 10;

    /// <summary>The stanza text, starting with a blank line and ending with a newline, as zuul-client builds it.</summary>
    public static string Format(string? secretName, string? fieldName, IReadOnlyList<string> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var text = new StringBuilder();
        text.Append('\n');
        text.Append("- secret:\n");
        text.Append("    name: ").Append(secretName ?? NamePlaceholder).Append('\n');
        text.Append("    data:\n");
        text.Append("      ").Append(fieldName ?? FieldPlaceholder).Append(": !encrypted/pkcs1-oaep\n");
        foreach (var chunk in chunks)
        {
            AppendWrapped(text, chunk);
        }
        return text.ToString();
    }

    // textwrap.fill('- ' + chunk): base64 has no spaces or hyphens, so the only word break is after "-", and
    // the long word is cut at the line width on every line.
    private static void AppendWrapped(StringBuilder text, string chunk)
    {
        text.Append(' ', FirstIndent).Append("- ");
        var room = Width - FirstIndent - 2;
        var at = Math.Min(room, chunk.Length);
        text.Append(chunk, 0, at).Append('\n');
        while (at < chunk.Length)
        {
            var take = Math.Min(Width - NextIndent, chunk.Length - at);
            text.Append(' ', NextIndent).Append(chunk, at, take).Append('\n');
            at += take;
        }
    }
}

using System.Globalization;

namespace Gating.Config.Yaml;

/// <summary>
/// YAML 1.1 implicit typing of plain scalars, as PyYAML's resolver does it (the rules Zuul reads config with).
/// Hand-written instead of PyYAML's regexes because it runs once per scalar: the first character decides
/// almost every case without looking further.
/// </summary>
public static class YamlScalarResolver
{
    /// <summary>Resolves the kind of a plain (unquoted, untagged) scalar.</summary>
    public static YamlScalarKind Resolve(string text)
    {
        if (text.Length == 0)
        {
            return YamlScalarKind.Null;
        }
        char c = text[0];
        switch (c)
        {
            case '~':
                return text.Length == 1 ? YamlScalarKind.Null : YamlScalarKind.String;
            case 'n' or 'N':
                if (text is "null" or "Null" or "NULL") return YamlScalarKind.Null;
                return text is "no" or "No" or "NO" ? YamlScalarKind.Bool : YamlScalarKind.String;
            case 'y' or 'Y':
                return text is "yes" or "Yes" or "YES" ? YamlScalarKind.Bool : YamlScalarKind.String;
            case 't' or 'T':
                return text is "true" or "True" or "TRUE" ? YamlScalarKind.Bool : YamlScalarKind.String;
            case 'f' or 'F':
                return text is "false" or "False" or "FALSE" ? YamlScalarKind.Bool : YamlScalarKind.String;
            case 'o' or 'O':
                return text is "on" or "On" or "ON" or "off" or "Off" or "OFF" ? YamlScalarKind.Bool : YamlScalarKind.String;
            case '.':
                if (text is ".inf" or ".Inf" or ".INF" or ".nan" or ".NaN" or ".NAN") return YamlScalarKind.Float;
                return IsFloat(text) ? YamlScalarKind.Float : YamlScalarKind.String;
            case '+' or '-':
                if (text.Length > 1 && text[1] == '.' && text.AsSpan(2) is "inf" or "Inf" or "INF") return YamlScalarKind.Float;
                return ResolveNumber(text);
            default:
                return c is >= '0' and <= '9' ? ResolveNumber(text) : YamlScalarKind.String;
        }
    }

    private static YamlScalarKind ResolveNumber(string text)
    {
        if (IsInt(text)) return YamlScalarKind.Int;
        if (IsFloat(text)) return YamlScalarKind.Float;
        if (IsTimestamp(text)) return YamlScalarKind.Timestamp;
        return YamlScalarKind.String;
    }

    private static int SkipSign(string s) => s.Length > 0 && (s[0] == '+' || s[0] == '-') ? 1 : 0;

    // int: [-+]?0b[01_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+ | [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+
    private static bool IsInt(string s)
    {
        int i = SkipSign(s);
        if (i >= s.Length) return false;
        if (s[i] == '0')
        {
            if (i + 1 == s.Length) return true;
            char k = s[i + 1];
            if (k == 'b') return AllOf(s, i + 2, static ch => ch is '0' or '1' or '_');
            if (k == 'x') return AllOf(s, i + 2, static ch => char.IsAsciiHexDigit(ch) || ch == '_');
            return AllOf(s, i + 1, static ch => ch is >= '0' and <= '7' or '_');
        }
        if (s[i] is < '1' or > '9') return false;
        int j = i + 1;
        while (j < s.Length && (char.IsAsciiDigit(s[j]) || s[j] == '_')) j++;
        if (j == s.Length) return true;
        return IsSexagesimalTail(s, j, s.Length);
    }

    // (:[0-5]?[0-9])+ from start to end
    private static bool IsSexagesimalTail(string s, int j, int end)
    {
        if (j >= end) return false;
        while (j < end)
        {
            if (s[j] != ':') return false;
            j++;
            int digits = 0;
            while (j < end && char.IsAsciiDigit(s[j]) && digits < 2) { j++; digits++; }
            if (digits == 0) return false;
            if (digits == 2 && s[j - 2] > '5') return false;
        }
        return true;
    }

    // float: [-+]?([0-9][0-9_]*)\.[0-9_]*([eE][-+][0-9]+)? | \.[0-9_]+([eE][-+][0-9]+)? | [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*
    private static bool IsFloat(string s)
    {
        int i = SkipSign(s);
        if (i >= s.Length) return false;
        int j = i;
        if (s[j] == '.')
        {
            if (i != 0) return false;
            j++;
            int start = j;
            while (j < s.Length && (char.IsAsciiDigit(s[j]) || s[j] == '_')) j++;
            return j > start && IsExponentTail(s, j);
        }
        if (!char.IsAsciiDigit(s[j])) return false;
        while (j < s.Length && (char.IsAsciiDigit(s[j]) || s[j] == '_')) j++;
        if (j < s.Length && s[j] == ':')
        {
            int dot = s.IndexOf('.', j);
            if (dot < 0 || !IsSexagesimalTail(s, j, dot)) return false;
            return AllOf(s, dot + 1, static ch => char.IsAsciiDigit(ch) || ch == '_', allowEmpty: true);
        }
        if (j >= s.Length || s[j] != '.') return false;
        j++;
        while (j < s.Length && (char.IsAsciiDigit(s[j]) || s[j] == '_')) j++;
        return IsExponentTail(s, j);
    }

    private static bool IsExponentTail(string s, int j)
    {
        if (j == s.Length) return true;
        if (s[j] is not ('e' or 'E')) return false;
        if (j + 1 >= s.Length || s[j + 1] is not ('+' or '-')) return false;
        return AllOf(s, j + 2, char.IsAsciiDigit);
    }

    // timestamp: [0-9]{4}-[0-9]{1,2}-[0-9]{1,2} (with optional time part); kept as text.
    private static bool IsTimestamp(string s) =>
        s.Length >= 8 && char.IsAsciiDigit(s[0]) && char.IsAsciiDigit(s[1]) && char.IsAsciiDigit(s[2])
        && char.IsAsciiDigit(s[3]) && s[4] == '-'
        && DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.RoundtripKind, out _);

    private static bool AllOf(string s, int from, Func<char, bool> ok, bool allowEmpty = false)
    {
        if (from >= s.Length) return allowEmpty;
        for (int k = from; k < s.Length; k++)
        {
            if (!ok(s[k])) return false;
        }
        return true;
    }

    /// <summary>Parses a YAML 1.1 bool.</summary>
    public static bool ParseBool(string text) => text[0] is 'y' or 'Y' or 't' or 'T' || text is "on" or "On" or "ON";

    /// <summary>Parses a YAML 1.1 int (null when it does not fit in 64 bits).</summary>
    public static long? ParseInt(string text)
    {
        string s = text.Replace("_", "", StringComparison.Ordinal);
        bool negative = s.StartsWith('-');
        string body = s.TrimStart('+', '-');
        try
        {
            long value;
            if (body.StartsWith("0b", StringComparison.Ordinal)) value = Convert.ToInt64(body[2..], 2);
            else if (body.StartsWith("0x", StringComparison.Ordinal)) value = Convert.ToInt64(body[2..], 16);
            else if (body.Length > 1 && body[0] == '0') value = Convert.ToInt64(body[1..], 8);
            else if (body.Contains(':', StringComparison.Ordinal))
            {
                value = 0;
                foreach (var part in body.Split(':')) value = checked(value * 60 + long.Parse(part, CultureInfo.InvariantCulture));
            }
            else value = long.Parse(body, CultureInfo.InvariantCulture);
            return negative ? -value : value;
        }
        catch (Exception e) when (e is OverflowException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Parses a YAML 1.1 float.</summary>
    public static double ParseFloat(string text)
    {
        string s = text.Replace("_", "", StringComparison.Ordinal);
        string lower = s.ToLowerInvariant();
        if (lower.EndsWith(".inf", StringComparison.Ordinal)) return lower[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
        if (lower == ".nan") return double.NaN;
        if (s.Contains(':', StringComparison.Ordinal))
        {
            bool negative = s.StartsWith('-');
            double value = 0;
            foreach (var part in s.TrimStart('+', '-').Split(':')) value = value * 60 + double.Parse(part, CultureInfo.InvariantCulture);
            return negative ? -value : value;
        }
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN;
    }

    /// <summary>Formats a double the way Python's <c>repr</c> does for common values (3.1, 1e+20, inf).</summary>
    public static string FormatFloat(double value)
    {
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        if (double.IsNaN(value)) return "nan";
        string r = value.ToString("R", CultureInfo.InvariantCulture);
        return r.Contains('.', StringComparison.Ordinal) || r.Contains('E', StringComparison.Ordinal) ? r.Replace("E", "e", StringComparison.Ordinal) : r + ".0";
    }
}

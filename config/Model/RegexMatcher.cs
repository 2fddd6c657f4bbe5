using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Gating.Config.Yaml;

namespace Gating.Config.Model;

/// <summary>
/// A Zuul regex: a pattern matched from the start of the text only (Python <c>re.match</c>, not anchored at
/// the end), optionally negated; <see cref="FullMatch"/> is for implied branch matchers, which match exactly.
/// Compiled lazily and shared by pattern, so loading never pays for regex construction.
/// </summary>
/// <param name="Pattern">The pattern as written (Python/RE2 syntax).</param>
/// <param name="Negate">True when written as <c>{regex: ..., negate: true}</c>.</param>
/// <param name="Location">Where it was written.</param>
/// <param name="FullMatch">True for implied branch matchers: the whole text must match.</param>
public sealed record RegexMatcher(string Pattern, bool Negate, SourceLocation Location, bool FullMatch = false)
{
    private static readonly ConcurrentDictionary<(string, bool), Regex> Cache = new();

    /// <summary>True when <paramref name="text"/> matches (taking <see cref="Negate"/> into account).</summary>
    public bool Matches(string text)
    {
        var regex = Cache.GetOrAdd((Pattern, FullMatch), static key => Compile(key.Item1, key.Item2));
        return regex.IsMatch(text) != Negate;
    }

    /// <summary>An exact matcher for one branch name (an implied branch).</summary>
    public static RegexMatcher Exact(string branch, SourceLocation location) =>
        new(Regex.Escape(branch), false, location, FullMatch: true);

    private static Regex Compile(string pattern, bool full)
    {
        string dotnet = ToDotNetSyntax(pattern);
        return new Regex(full ? $"\\A(?:{dotnet})\\z" : $"\\G(?:{dotnet})", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <summary>Translates the few Python/RE2 forms .NET spells differently (<c>(?P&lt;name&gt;</c>, <c>\Z</c>).</summary>
    public static string ToDotNetSyntax(string pattern) =>
        pattern.Contains("(?P", StringComparison.Ordinal) || pattern.Contains("\\Z", StringComparison.Ordinal)
            ? pattern.Replace("(?P<", "(?<", StringComparison.Ordinal).Replace("(?P=", "\\k<", StringComparison.Ordinal).Replace("\\Z", "\\z", StringComparison.Ordinal)
            : pattern;

    /// <summary>
    /// Checks the pattern: null when fine; otherwise (isError, message). .NET rejects it → error; RE2 would reject
    /// it (lookaround, backreference, atomic group) → warning, as Zuul warns when it falls back to Python's re.
    /// </summary>
    public static (bool IsError, string Message)? Check(string pattern)
    {
        try
        {
            _ = new Regex(ToDotNetSyntax(pattern), RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            return (true, $"invalid regular expression '{pattern}': {e.Message}");
        }
        string? feature = Re2Unsupported(pattern);
        return feature is null ? null : (false, $"regular expression '{pattern}' is not RE2 compatible ({feature}); it works but is deprecated");
    }

    private static string? Re2Unsupported(string p)
    {
        for (int i = 0; i < p.Length; i++)
        {
            char c = p[i];
            if (c == '\\' && i + 1 < p.Length)
            {
                char n = p[i + 1];
                if (n is >= '1' and <= '9') return "backreference";
                if (n == 'k') return "backreference";
                i++;
                continue;
            }
            if (c == '(' && i + 2 < p.Length && p[i + 1] == '?')
            {
                char k = p[i + 2];
                if (k is '=' or '!') return "lookahead";
                if (k == '<' && i + 3 < p.Length && p[i + 3] is '=' or '!') return "lookbehind";
                if (k == '>') return "atomic group";
                if (k == 'P' && i + 3 < p.Length && p[i + 3] == '=') return "backreference";
            }
        }
        return null;
    }
}

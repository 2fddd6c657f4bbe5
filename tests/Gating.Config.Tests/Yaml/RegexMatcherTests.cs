using Gating.Config.Model;
using Gating.Config.Yaml;

namespace Gating.Config.Tests.Yaml;

public sealed class RegexMatcherTests
{
    private static readonly SourceLocation At = new("f.yaml", 1, 1);

    [Fact]
    public void Matches_from_the_start_only_and_not_anchored_at_the_end()
    {
        var m = new RegexMatcher("stable/", false, At);
        Assert.True(m.Matches("stable/2024.1"));
        Assert.False(m.Matches("unstable/x"));
    }

    [Fact]
    public void Negate_inverts()
    {
        var m = new RegexMatcher("^docs/.*$", true, At);
        Assert.False(m.Matches("docs/index.rst"));
        Assert.True(m.Matches("src/main.c"));
    }

    [Fact]
    public void Exact_matchers_match_the_whole_branch_literally()
    {
        var m = RegexMatcher.Exact("stable/1.0", At);
        Assert.True(m.Matches("stable/1.0"));
        Assert.False(m.Matches("stable/1.0.1"));
        Assert.False(m.Matches("stable/1x0"));
    }

    [Fact]
    public void Python_named_groups_are_accepted() => Assert.True(new RegexMatcher("(?P<v>[0-9]+)", false, At).Matches("42"));

    [Theory]
    [InlineData("^(?!stable).*$", "lookahead")]
    [InlineData("(?<=a)b", "lookbehind")]
    [InlineData("(a)\\1", "backreference")]
    public void Patterns_re2_rejects_get_a_warning(string pattern, string feature)
    {
        var check = RegexMatcher.Check(pattern);
        Assert.NotNull(check);
        Assert.False(check.Value.IsError);
        Assert.Contains(feature, check.Value.Message);
    }

    [Fact]
    public void Invalid_patterns_are_errors()
    {
        var check = RegexMatcher.Check("([unclosed");
        Assert.NotNull(check);
        Assert.True(check.Value.IsError);
    }

    [Fact]
    public void Plain_patterns_pass_the_check() => Assert.Null(RegexMatcher.Check("^.*\\.rst$"));
}

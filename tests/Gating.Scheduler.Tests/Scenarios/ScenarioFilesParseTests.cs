using System.Text.RegularExpressions;
using Gating.Testing.Scenarios;

namespace Gating.Scheduler.Tests.Scenarios;

/// <summary>Every scenario file (pending ones too) and every example of docs/scenarios.md is well-formed.</summary>
public sealed partial class ScenarioFilesParseTests
{
    public static TheoryData<string> AllFiles() => [.. ScenarioFiles.All()];

    [Theory]
    [MemberData(nameof(AllFiles))]
    public async Task Scenario_file_parses(string file)
    {
        var scenario = await ScenarioParser.ParseFileAsync(Path.Combine(ScenarioFiles.Directory, file), CancellationToken.None);

        Assert.NotEmpty(scenario.Steps);
        Assert.Contains(scenario.Steps, s => s is ExpectStep);
    }

    [Fact]
    public void The_suite_has_at_least_forty_scenarios()
    {
        Assert.True(ScenarioFiles.All().Count() >= 40, string.Join(", ", ScenarioFiles.All()));
    }

    [Fact]
    public void Pending_scenarios_say_what_fails_and_why()
    {
        foreach (var file in ScenarioFiles.All().Where(f => f.StartsWith("pending", StringComparison.Ordinal)))
        {
            string first = File.ReadLines(Path.Combine(ScenarioFiles.Directory, file)).First();
            Assert.True(first.StartsWith("# PENDING: ", StringComparison.Ordinal), $"{file} must start with '# PENDING: <what fails and why>'");
        }
    }

    [Fact]
    public void The_documented_complete_example_parses()
    {
        string doc = File.ReadAllText(Path.Combine(ScenarioFiles.RepoRoot, "docs", "scenarios.md"));
        var blocks = YamlBlock().Matches(doc).Select(m => m.Groups[1].Value).ToList();

        var complete = Assert.Single(blocks, b => b.StartsWith("name: the middle change of three fails", StringComparison.Ordinal));
        var scenario = ScenarioParser.Parse(complete, "docs/scenarios.md");
        Assert.Equal(5, scenario.Steps.Length);
    }

    [Fact]
    public void The_documented_expectations_parse()
    {
        string doc = File.ReadAllText(Path.Combine(ScenarioFiles.RepoRoot, "docs", "scenarios.md"));
        string expect = YamlBlock().Matches(doc).Select(m => m.Groups[1].Value).Single(b => b.StartsWith("- expect:", StringComparison.Ordinal));
        string scenario = "changes: [{name: A}, {name: B}, {name: C}, {name: D}]\nsteps:\n" +
                          string.Join("\n", expect.Split('\n').Select(l => "  " + l));

        var parsed = ScenarioParser.Parse(scenario, "docs/scenarios.md");

        Assert.Equal(13, Assert.IsType<ExpectStep>(Assert.Single(parsed.Steps)).Expectations.Length);
    }

    [GeneratedRegex("```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}

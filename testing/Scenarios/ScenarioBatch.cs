namespace Gating.Testing.Scenarios;

/// <summary>
/// Runs scenario files one after the other and prints a line per file (and the failures with the actual state):
/// the body of <c>gating scenario run</c>. Exit codes: 0 all held, 1 an expectation failed, 2 a file could not
/// be read or parsed.
/// </summary>
public static class ScenarioBatch
{
    /// <summary>Every expectation held.</summary>
    public const int Passed = 0;

    /// <summary>An expectation failed (or a step threw).</summary>
    public const int Failed = 1;

    /// <summary>Bad usage or a malformed scenario file.</summary>
    public const int FormatError = 2;

    /// <summary>Expands directories to their *.yaml files (sorted, not recursive) and keeps files as given.</summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths) =>
        [.. paths.SelectMany(p => Directory.Exists(p)
            ? Directory.GetFiles(p, "*.yaml").Order(StringComparer.Ordinal)
            : (IEnumerable<string>)[p])];

    /// <summary>Parses every file, then runs the ones that parsed (unless <paramref name="checkOnly"/>).</summary>
    public static async Task<int> RunAsync(
        IReadOnlyList<string> files, IScenarioClusterFactory? factory, bool checkOnly, TextWriter output, CancellationToken cancellationToken)
    {
        int code = Passed;
        var scenarios = new List<Scenario>();
        foreach (var file in files)
        {
            try
            {
                scenarios.Add(await ScenarioParser.ParseFileAsync(file, cancellationToken));
            }
            catch (ScenarioFormatException e)
            {
                await output.WriteLineAsync($"ERROR {file}:\n  " + string.Join("\n  ", e.Errors));
                code = FormatError;
            }
        }
        if (checkOnly)
        {
            foreach (var s in scenarios)
            {
                await output.WriteLineAsync($"OK {s.File}: {s.Name}");
            }
            return code;
        }
        if (factory is null)
        {
            await output.WriteLineAsync("ERROR no in-process cluster (IScenarioClusterFactory) is built into this binary");
            return FormatError;
        }
        var runner = new ScenarioRunner(factory);
        int passed = 0;
        foreach (var scenario in scenarios)
        {
            var result = await runner.RunAsync(scenario, cancellationToken);
            await output.WriteLineAsync(result.Describe());
            if (result.Passed)
            {
                passed++;
            }
            else if (code == Passed)
            {
                code = Failed;
            }
        }
        await output.WriteLineAsync($"{passed} of {scenarios.Count} scenarios passed");
        return code;
    }
}

namespace Gating.Scheduler.Tests.Scenarios;

/// <summary>Finds the scenario files and the docs of the checkout the tests were built from.</summary>
internal static class ScenarioFiles
{
    /// <summary>The repository root: the nearest directory above the test binaries that holds Gating.sln.</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>tests/scenarios.</summary>
    public static string Directory => Path.Combine(RepoRoot, "tests", "scenarios");

    /// <summary>Files the suite runs: tests/scenarios/*.yaml (not pending/), relative to <see cref="Directory"/>.</summary>
    public static IEnumerable<string> Active() =>
        System.IO.Directory.GetFiles(Directory, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    /// <summary>Every scenario file, pending ones included, relative to <see cref="Directory"/>.</summary>
    public static IEnumerable<string> All() =>
        System.IO.Directory.GetFiles(Directory, "*.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Directory, f)).Order(StringComparer.Ordinal);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gating.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no Gating.sln above {AppContext.BaseDirectory}: the scenario files cannot be found");
    }
}

using System.Xml.Linq;

namespace Gating.Cli.Tests;

/// <summary>
/// Dependencies point one way (STYLE habit 2): model &lt;- config &lt;- scheduler/executor/nodepool &lt;- web &lt;- cli.
/// Checked on the project files, since the compiler drops references to assemblies that are not used yet.
/// </summary>
public sealed class DependencyDirectionTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Gating.Model"] = [],
        ["Gating.ZooKeeper"] = [],
        ["Gating.Coordination"] = ["Gating.ZooKeeper", "Gating.Model"],
        ["Gating.Config"] = ["Gating.Model"],
        ["Gating.Connections"] = ["Gating.Model"],
        ["Gating.Database"] = ["Gating.Model"],
        ["Gating.Scheduler"] = ["Gating.Model", "Gating.Config", "Gating.Coordination", "Gating.ZooKeeper"],
        ["Gating.Executor"] = ["Gating.Model", "Gating.Coordination", "Gating.ZooKeeper"],
        ["Gating.Nodepool"] = ["Gating.Model", "Gating.Coordination", "Gating.ZooKeeper"],
    };

    [Fact]
    public void Each_part_references_only_what_the_design_allows()
    {
        var root = RepositoryRoot.Find();
        var projects = Directory.GetFiles(root, "Gating.*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}tests{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !p.Contains($"{Path.DirectorySeparatorChar}bench{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.True(projects.Count >= 12, $"found only {projects.Count} projects under {root}");
        foreach (var project in projects)
        {
            var name = Path.GetFileNameWithoutExtension(project);
            if (!Allowed.TryGetValue(name, out var allowed))
            {
                continue; // web, testing and cli may use every part (cli is the composition root)
            }
            var references = XDocument.Load(project).Descendants("ProjectReference")
                .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value));
            foreach (var reference in references)
            {
                Assert.True(allowed.Contains(reference), $"{name} must not reference {reference}");
            }
        }
    }
}

/// <summary>Finds the checkout's root (the folder with Gating.sln) from the test's output folder.</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gating.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Gating.sln not found above " + AppContext.BaseDirectory);
    }
}

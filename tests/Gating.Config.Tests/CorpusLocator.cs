namespace Gating.Config.Tests;

/// <summary>Finds the shared corpus: the folder with Gating.sln, then ../shared/corpus; else /work/shared/corpus.</summary>
internal static class CorpusLocator
{
    public static string Root { get; } = Find();

    public static string RepoRoot { get; } = FindRepoRoot() ?? throw new InvalidOperationException("Gating.sln not found above " + AppContext.BaseDirectory);

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gating.sln"))) return dir.FullName;
        }
        return null;
    }

    private static string Find()
    {
        if (FindRepoRoot() is { } root)
        {
            string candidate = Path.GetFullPath(Path.Combine(root, "..", "shared", "corpus"));
            if (Directory.Exists(candidate)) return candidate;
        }
        const string fallback = "/work/shared/corpus";
        if (Directory.Exists(fallback)) return fallback;
        throw new InvalidOperationException("the Zuul corpus was not found (../shared/corpus next to the repository, or /work/shared/corpus)");
    }

    /// <summary>Corpus folder <c>owner__repo</c> for project <c>owner/repo</c>.</summary>
    public static string Repo(string project) => Path.Combine(Root, project.Replace("/", "__", StringComparison.Ordinal));

    public static readonly string[] Projects =
    [
        "openstack/project-config", "zuul/zuul-jobs", "openstack/openstack-zuul-jobs", "openstack/tempest",
        "openstack/devstack", "openstack/nova", "zuul/zuul",
    ];

    public static string TenantFile => Path.Combine(Root, "openstack__project-config", "zuul", "main.yaml");
}

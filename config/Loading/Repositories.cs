using System.Collections.Immutable;

namespace Gating.Config.Loading;

/// <summary>Finds the repository of a project by the name a tenant gives it.</summary>
public interface IRepositorySource
{
    /// <summary>The project's repository, or null when it is not available.</summary>
    IProjectRepository? Find(string projectName);
}

/// <summary>One project's repository: its branches and their files. The merger supplies a git-backed one.</summary>
public interface IProjectRepository
{
    /// <summary>The branches, default branch first.</summary>
    ImmutableArray<string> Branches { get; }

    /// <summary>Opens a branch for reading.</summary>
    IRepositoryBranch OpenBranch(string branch);
}

/// <summary>Read access to one branch of a repository; paths are relative with <c>/</c> separators.</summary>
public interface IRepositoryBranch
{
    /// <summary>True when <paramref name="path"/> is a file.</summary>
    bool FileExists(string path);

    /// <summary>True when <paramref name="path"/> is a directory.</summary>
    bool DirectoryExists(string path);

    /// <summary>File and subdirectory names (not paths) directly in <paramref name="path"/> ("" is the root).</summary>
    (IReadOnlyList<string> Files, IReadOnlyList<string> Directories) List(string path);

    /// <summary>Reads a file as UTF-8 text.</summary>
    string ReadText(string path);
}

/// <summary>A repository that is a directory on disk, with one branch (default <c>master</c>).</summary>
public sealed class DirectoryRepository : IProjectRepository, IRepositoryBranch
{
    private readonly string _root;

    /// <summary>Creates a repository over <paramref name="root"/>.</summary>
    public DirectoryRepository(string root, string branch = "master")
    {
        _root = Path.GetFullPath(root);
        DisplayRoot = root;
        Branches = [branch];
    }

    /// <summary>The directory (full path).</summary>
    public string Root => _root;

    /// <summary>The directory as the user gave it, for messages.</summary>
    public string DisplayRoot { get; }

    /// <inheritdoc />
    public ImmutableArray<string> Branches { get; }

    /// <inheritdoc />
    public IRepositoryBranch OpenBranch(string branch) => this;

    private string Full(string path) => path.Length == 0 ? _root : Path.Combine(_root, path);

    /// <inheritdoc />
    public bool FileExists(string path) => File.Exists(Full(path));

    /// <inheritdoc />
    public bool DirectoryExists(string path) => Directory.Exists(Full(path));

    /// <inheritdoc />
    public (IReadOnlyList<string> Files, IReadOnlyList<string> Directories) List(string path)
    {
        var dir = new DirectoryInfo(Full(path));
        var files = new List<string>();
        var dirs = new List<string>();
        foreach (var entry in dir.EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo) dirs.Add(entry.Name);
            else files.Add(entry.Name);
        }
        return (files, dirs);
    }

    /// <inheritdoc />
    public string ReadText(string path) => File.ReadAllText(Full(path));
}

/// <summary>An in-memory repository (tests, benchmarks, speculative configuration): branch → path → text.</summary>
public sealed class MemoryRepository : IProjectRepository
{
    private readonly ImmutableDictionary<string, ImmutableDictionary<string, string>> _branches;

    /// <summary>Creates a repository from branch → (path → text); the first branch given is the default.</summary>
    public MemoryRepository(IEnumerable<KeyValuePair<string, ImmutableDictionary<string, string>>> branches)
    {
        var list = branches.ToList();
        Branches = [.. list.Select(b => b.Key)];
        _branches = list.ToImmutableDictionary();
    }

    /// <summary>A single-branch (<c>master</c>) repository.</summary>
    public static MemoryRepository Of(IReadOnlyDictionary<string, string> files, string branch = "master") =>
        new([new(branch, files.ToImmutableDictionary())]);

    /// <inheritdoc />
    public ImmutableArray<string> Branches { get; }

    /// <inheritdoc />
    public IRepositoryBranch OpenBranch(string branch) =>
        new MemoryBranch(_branches.TryGetValue(branch, out var files) ? files : ImmutableDictionary<string, string>.Empty);

    private sealed class MemoryBranch(ImmutableDictionary<string, string> files) : IRepositoryBranch
    {
        public bool FileExists(string path) => files.ContainsKey(path);

        public bool DirectoryExists(string path) => path.Length == 0 || files.Keys.Any(k => k.StartsWith(path + "/", StringComparison.Ordinal));

        public (IReadOnlyList<string> Files, IReadOnlyList<string> Directories) List(string path)
        {
            string prefix = path.Length == 0 ? "" : path + "/";
            var f = new SortedSet<string>(StringComparer.Ordinal);
            var d = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var key in files.Keys)
            {
                if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
                string rest = key[prefix.Length..];
                int slash = rest.IndexOf('/', StringComparison.Ordinal);
                if (slash < 0) f.Add(rest);
                else d.Add(rest[..slash]);
            }
            return ([.. f], [.. d]);
        }

        public string ReadText(string path) => files[path];
    }
}

/// <summary>Repositories given explicitly (<c>--repo NAME=PATH</c>) or found as <c>ROOT/NAME</c>.</summary>
public sealed class DirectoryRepositorySource : IRepositorySource
{
    private readonly IReadOnlyDictionary<string, IProjectRepository> _explicit;
    private readonly string? _reposRoot;

    /// <summary>Creates a source.</summary>
    public DirectoryRepositorySource(IReadOnlyDictionary<string, IProjectRepository> repos, string? reposRoot = null)
    {
        _explicit = repos;
        _reposRoot = reposRoot;
    }

    /// <inheritdoc />
    public IProjectRepository? Find(string projectName)
    {
        if (_explicit.TryGetValue(projectName, out var repo)) return repo;
        string shortName = Parsing.ProjectNames.WithoutHost(projectName);
        if (_explicit.TryGetValue(shortName, out repo)) return repo;
        if (_reposRoot is null) return null;
        foreach (var candidate in new[] { projectName, shortName })
        {
            string dir = Path.Combine(_reposRoot, candidate);
            if (Directory.Exists(dir)) return new DirectoryRepository(dir);
        }
        return null;
    }
}

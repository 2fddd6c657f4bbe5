using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Parsing;
using Gating.Config.Yaml;

namespace Gating.Config.Loading;

/// <summary>What <c>gating config check</c> was asked to load.</summary>
/// <param name="TenantFile">The tenant file, or null for an implicit tenant of <paramref name="Paths"/>.</param>
/// <param name="Repos">Project name → repository root (<c>--repo NAME=PATH</c>).</param>
/// <param name="ReposRoot">Directory where project NAME is found at <c>DIR/NAME</c>.</param>
/// <param name="Paths">Without a tenant file: repository roots, config directories or files, each a trusted project.</param>
/// <param name="TenantName">Only this tenant of the tenant file.</param>
public sealed record ConfigCheckRequest(
    string? TenantFile,
    IReadOnlyList<KeyValuePair<string, string>> Repos,
    string? ReposRoot,
    IReadOnlyList<string> Paths,
    string? TenantName = null);

/// <summary>One problem with the path to show (repository root joined with the file's path).</summary>
public sealed record ConfigProblem(string DisplayPath, string? Tenant, ConfigError Error)
{
    /// <summary><c>PATH:LINE:COLUMN: error[CODE]: MESSAGE</c>.</summary>
    public override string ToString() =>
        $"{DisplayPath}:{Error.Line}:{Error.Column}: {(Error.IsError ? "error" : "warning")}[{Error.Code}]: {Error.Message}";
}

/// <summary>The result of a check: problems (duplicates across tenants removed) and the layouts.</summary>
public sealed record ConfigCheckResult(ImmutableArray<ConfigProblem> Problems, ImmutableArray<TenantLayout> Layouts)
{
    /// <summary>Number of errors.</summary>
    public int ErrorCount => Problems.Count(p => p.Error.IsError);
    /// <summary>Number of warnings.</summary>
    public int WarningCount => Problems.Count(p => !p.Error.IsError);
}

/// <summary>The logic behind <c>gating config check</c>: builds the tenant(s), loads them, and maps every problem to a path.</summary>
public static class ConfigCheck
{
    /// <summary>Name of the implicit tenant made from paths.</summary>
    public const string ImplicitTenantName = "implicit";

    /// <summary>Runs the check. Throws only for unreadable inputs named on the command line (IOException).</summary>
    public static ConfigCheckResult Run(ConfigCheckRequest request)
    {
        var explicitRepos = new Dictionary<string, IProjectRepository>(StringComparer.Ordinal);
        foreach (var (name, path) in request.Repos) explicitRepos[name] = new DirectoryRepository(path);
        var problems = new List<ConfigProblem>();
        var layouts = ImmutableArray.CreateBuilder<TenantLayout>();
        if (request.TenantFile is { } tenantFile)
        {
            var source = new DirectoryRepositorySource(explicitRepos, request.ReposRoot);
            var (config, fileErrors) = TenantFileParser.Parse(File.ReadAllText(tenantFile), tenantFile);
            foreach (var e in fileErrors) problems.Add(new ConfigProblem(tenantFile, null, e));
            var tenants = config.Tenants.Where(t => request.TenantName is null || t.Name == request.TenantName).ToList();
            if (request.TenantName is not null && tenants.Count == 0)
            {
                problems.Add(new ConfigProblem(tenantFile, null, new ConfigError(ConfigErrorCodes.UnknownTenant, ConfigSeverity.Error,
                    $"the tenant file has no tenant '{request.TenantName}'", tenantFile, 0, 0)));
            }
            var cache = new ProjectConfigCache();
            foreach (var tenant in tenants)
            {
                var layout = TenantLoader.Load(tenant, source, config.GlobalSemaphores, cache);
                layouts.Add(layout);
                foreach (var e in layout.Errors) problems.Add(new ConfigProblem(DisplayPath(e, source, tenantFile), tenant.Name, e));
            }
        }
        else
        {
            var (tenant, source) = ImplicitTenant(request.Paths);
            var layout = TenantLoader.Load(tenant, source);
            layouts.Add(layout);
            foreach (var e in layout.Errors) problems.Add(new ConfigProblem(DisplayPath(e, source, null), null, e));
        }
        return new ConfigCheckResult(Deduplicate(problems), layouts.ToImmutable());
    }

    // A project in several tenants reports the same problem once.
    private static ImmutableArray<ConfigProblem> Deduplicate(List<ConfigProblem> problems)
    {
        var seen = new HashSet<(string, int, int, string, string)>();
        var b = ImmutableArray.CreateBuilder<ConfigProblem>();
        foreach (var p in problems)
        {
            if (seen.Add((p.DisplayPath, p.Error.Line, p.Error.Column, p.Error.Code, p.Error.Message))) b.Add(p);
        }
        return b.ToImmutable();
    }

    private static string DisplayPath(ConfigError e, IRepositorySource source, string? tenantFile)
    {
        if (e.Project is null || e.Code == ConfigErrorCodes.MissingRepository || (tenantFile is not null && e.File == tenantFile))
        {
            return e.File;
        }
        string? root = source.Find(e.Project) switch
        {
            DirectoryRepository d => d.DisplayRoot,
            SingleFileRepository f => f.DisplayRoot,
            _ => null,
        };
        if (root is null) return e.File;
        return e.File.Length == 0 ? root : Path.Combine(root, e.File);
    }

    /// <summary>Each path becomes a trusted config project named after it, in the order given.</summary>
    public static (TenantConfig Tenant, IRepositorySource Source) ImplicitTenant(IReadOnlyList<string> paths)
    {
        var repos = new Dictionary<string, IProjectRepository>(StringComparer.Ordinal);
        var projects = ImmutableArray.CreateBuilder<TenantProjectConfig>();
        foreach (var path in paths)
        {
            string name = path;
            var project = new TenantProjectConfig { Name = name, Connection = "local", Trusted = true, Location = SourceLocation.OfFile(path) };
            if (File.Exists(path))
            {
                string dir = Path.GetDirectoryName(path) is { Length: > 0 } d ? d : ".";
                repos[name] = new SingleFileRepository(dir, Path.GetFileName(path));
                project = project with { ExtraConfigPaths = [Path.GetFileName(path)] };
            }
            else
            {
                var repo = new DirectoryRepository(path);
                repos[name] = repo;
                bool isRepoRoot = ConfigFileDiscovery.Roots.Any(r => repo.FileExists(r) || repo.DirectoryExists(r));
                if (!isRepoRoot) project = project with { ExtraConfigPaths = [""] };
            }
            projects.Add(project);
        }
        var tenant = new TenantConfig
        {
            Name = ImplicitTenantName,
            Sources = [new TenantSourceConfig("local", projects.ToImmutable(), [], SourceLocation.OfFile(""))],
            Location = SourceLocation.OfFile(""),
        };
        return (tenant, new DirectoryRepositorySource(repos));
    }
}

/// <summary>A repository that exposes only one file of a directory (for <c>config check FILE</c>).</summary>
public sealed class SingleFileRepository : IProjectRepository, IRepositoryBranch
{
    private readonly DirectoryRepository _dir;
    private readonly string _file;

    /// <summary>Creates it.</summary>
    public SingleFileRepository(string directory, string file)
    {
        _dir = new DirectoryRepository(directory);
        _file = file;
    }

    /// <summary>The directory as given.</summary>
    public string DisplayRoot => _dir.DisplayRoot;
    /// <inheritdoc />
    public ImmutableArray<string> Branches => _dir.Branches;
    /// <inheritdoc />
    public IRepositoryBranch OpenBranch(string branch) => this;
    /// <inheritdoc />
    public bool FileExists(string path) => path == _file;
    /// <inheritdoc />
    public bool DirectoryExists(string path) => false;
    /// <inheritdoc />
    public (IReadOnlyList<string> Files, IReadOnlyList<string> Directories) List(string path) => ([], []);
    /// <inheritdoc />
    public string ReadText(string path) => _dir.ReadText(path);
}

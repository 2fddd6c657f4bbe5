using System.Collections.Immutable;
using Gating.Config.Loading;
using Gating.Config.Model;
using Gating.Config.Parsing;
using Gating.Config.Yaml;

namespace Gating.Config.Tests;

/// <summary>Builds small tenants over in-memory repositories.</summary>
internal sealed class TestTenant : IRepositorySource
{
    private readonly List<TenantProjectConfig> _config = [];
    private readonly List<TenantProjectConfig> _untrusted = [];
    private readonly Dictionary<string, IProjectRepository> _repos = new(StringComparer.Ordinal);

    public TestTenant Config(string name, string file, string text, Func<TenantProjectConfig, TenantProjectConfig>? options = null) =>
        Config(name, new Dictionary<string, string> { [file] = text }, options);

    public TestTenant Config(string name, Dictionary<string, string> files, Func<TenantProjectConfig, TenantProjectConfig>? options = null)
    {
        _config.Add(Project(name, true, options));
        _repos[name] = MemoryRepository.Of(files);
        return this;
    }

    public TestTenant Untrusted(string name, string file, string text, Func<TenantProjectConfig, TenantProjectConfig>? options = null) =>
        Untrusted(name, new Dictionary<string, string> { [file] = text }, options);

    public TestTenant Untrusted(string name, Dictionary<string, string> files, Func<TenantProjectConfig, TenantProjectConfig>? options = null)
    {
        _untrusted.Add(Project(name, false, options));
        _repos[name] = MemoryRepository.Of(files);
        return this;
    }

    public TestTenant UntrustedBranches(string name, Dictionary<string, Dictionary<string, string>> branches, Func<TenantProjectConfig, TenantProjectConfig>? options = null)
    {
        _untrusted.Add(Project(name, false, options));
        _repos[name] = new MemoryRepository(branches.Select(b => new KeyValuePair<string, ImmutableDictionary<string, string>>(b.Key, b.Value.ToImmutableDictionary())));
        return this;
    }

    public TestTenant MissingUntrusted(string name)
    {
        _untrusted.Add(Project(name, false, null));
        return this;
    }

    private static TenantProjectConfig Project(string name, bool trusted, Func<TenantProjectConfig, TenantProjectConfig>? options)
    {
        var p = new TenantProjectConfig { Name = name, Connection = "gerrit", Trusted = trusted, Location = new SourceLocation("main.yaml", 1, 1) };
        return options is null ? p : options(p);
    }

    public TenantConfig Tenant => new()
    {
        Name = "test",
        Sources = [new TenantSourceConfig("gerrit", [.. _config], [.. _untrusted], new SourceLocation("main.yaml", 1, 1))],
        Location = new SourceLocation("main.yaml", 1, 1),
    };

    public IProjectRepository? Find(string projectName) => _repos.GetValueOrDefault(projectName);

    public TenantLayout Load(ProjectConfigCache? cache = null) => TenantLoader.Load(Tenant, this, cache: cache);

    /// <summary>Parses one file as if it were in a trusted (or untrusted) single-branch project.</summary>
    public static ParsedConfig Parse(string text, bool trusted = true)
    {
        var project = new TenantProjectConfig { Name = "org/project", Connection = "gerrit", Trusted = trusted, Location = new SourceLocation("main.yaml", 1, 1) };
        return TenantLoader.ParseBranch(new BranchContext(project, "master", false, 0), [new ConfigFileText("zuul.yaml", text)]);
    }

    /// <summary>The standard pipelines for tests that need check and gate.</summary>
    public const string Pipelines = """
        - pipeline:
            name: check
            manager: independent
            trigger:
              gerrit:
                - event: patchset-created
        - pipeline:
            name: gate
            manager: dependent
            trigger:
              gerrit:
                - event: comment-added
        - job:
            name: base
            parent: null
        """;
}

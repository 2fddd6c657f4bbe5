using System.Collections.Immutable;
using Gating.Config.Yaml;

namespace Gating.Config.Model;

/// <summary>
/// One project of a tenant, with its per-project options (project groups are already expanded: each project
/// carries the group's options). Null option values mean "not given" (the tenant-level or built-in default).
/// </summary>
public sealed record TenantProjectConfig
{
    /// <summary>Project name as written (e.g. <c>openstack/nova</c>).</summary>
    public required string Name { get; init; }
    /// <summary>Connection (source) name.</summary>
    public required string Connection { get; init; }
    /// <summary>True for config-projects.</summary>
    public required bool Trusted { get; init; }
    /// <summary><c>include</c>: object kinds to load (null: all).</summary>
    public ImmutableArray<ConfigObjectKind>? Include { get; init; }
    /// <summary><c>exclude</c>: object kinds not to load.</summary>
    public ImmutableArray<ConfigObjectKind>? Exclude { get; init; }
    /// <summary><c>shadow</c>: earlier projects whose job definitions win over this one's.</summary>
    public ImmutableArray<string> Shadow { get; init; } = [];
    /// <summary><c>exclude-unprotected-branches</c>.</summary>
    public bool? ExcludeUnprotectedBranches { get; init; }
    /// <summary><c>exclude-locked-branches</c>.</summary>
    public bool? ExcludeLockedBranches { get; init; }
    /// <summary><c>include-branches</c> (wins over exclude-branches).</summary>
    public ImmutableArray<RegexMatcher>? IncludeBranches { get; init; }
    /// <summary><c>exclude-branches</c>.</summary>
    public ImmutableArray<RegexMatcher>? ExcludeBranches { get; init; }
    /// <summary><c>always-dynamic-branches</c>.</summary>
    public ImmutableArray<RegexMatcher>? AlwaysDynamicBranches { get; init; }
    /// <summary><c>implied-branch-matchers</c>.</summary>
    public bool? ImpliedBranchMatchers { get; init; }
    /// <summary><c>extra-config-paths</c>: files, or directories with a trailing <c>/</c>.</summary>
    public ImmutableArray<string> ExtraConfigPaths { get; init; } = [];
    /// <summary><c>configure-projects</c>: regexes of projects this one may configure.</summary>
    public ImmutableArray<RegexMatcher> ConfigureProjects { get; init; } = [];
    /// <summary><c>load-branch</c> (config projects; default master).</summary>
    public string? LoadBranch { get; init; }
    /// <summary><c>allow-base-jobs</c> (newer Zuul; accepted with a warning).</summary>
    public bool? AllowBaseJobs { get; init; }
    /// <summary><c>include-provider-config</c> (newer Zuul; accepted with a warning).</summary>
    public bool? IncludeProviderConfig { get; init; }
    /// <summary>Where the project is named.</summary>
    public required SourceLocation Location { get; init; }

    /// <summary>True when objects of <paramref name="kind"/> are loaded from this project.</summary>
    public bool Loads(ConfigObjectKind kind)
    {
        if (kind == ConfigObjectKind.Pragma) return true;
        if (Include is { } inc && !inc.Contains(kind)) return false;
        return Exclude is not { } exc || !exc.Contains(kind);
    }
}

/// <summary>A <c>source</c> entry of a tenant: one connection's config and untrusted projects, in order.</summary>
public sealed record TenantSourceConfig(
    string Connection,
    ImmutableArray<TenantProjectConfig> ConfigProjects,
    ImmutableArray<TenantProjectConfig> UntrustedProjects,
    SourceLocation Location);

/// <summary>A <c>tenant</c> stanza with every attribute of reference §2.2.</summary>
public sealed record TenantConfig
{
    /// <summary><c>name</c>.</summary>
    public required string Name { get; init; }
    /// <summary><c>source</c>, in the order written.</summary>
    public ImmutableArray<TenantSourceConfig> Sources { get; init; } = [];
    /// <summary><c>max-nodes-per-job</c> (default 5; -1 unlimited).</summary>
    public int MaxNodesPerJob { get; init; } = 5;
    /// <summary><c>max-job-timeout</c> (default 10800 s; -1 unlimited).</summary>
    public int MaxJobTimeout { get; init; } = 10800;
    /// <summary><c>max-dependencies</c> (null: unlimited).</summary>
    public int? MaxDependencies { get; init; }
    /// <summary><c>max-changes-per-pipeline</c> (null: unlimited).</summary>
    public int? MaxChangesPerPipeline { get; init; }
    /// <summary><c>exclude-unprotected-branches</c>.</summary>
    public bool ExcludeUnprotectedBranches { get; init; }
    /// <summary><c>exclude-locked-branches</c>.</summary>
    public bool ExcludeLockedBranches { get; init; }
    /// <summary><c>default-parent</c>.</summary>
    public string DefaultParent { get; init; } = "base";
    /// <summary><c>default-ansible-version</c>.</summary>
    public string? DefaultAnsibleVersion { get; init; }
    /// <summary><c>allowed-triggers</c> (null: all connections).</summary>
    public ImmutableArray<string>? AllowedTriggers { get; init; }
    /// <summary><c>allowed-reporters</c> (null: all connections).</summary>
    public ImmutableArray<string>? AllowedReporters { get; init; }
    /// <summary><c>allowed-labels</c>.</summary>
    public ImmutableArray<RegexMatcher>? AllowedLabels { get; init; }
    /// <summary><c>disallowed-labels</c>.</summary>
    public ImmutableArray<RegexMatcher>? DisallowedLabels { get; init; }
    /// <summary><c>web-root</c>.</summary>
    public string? WebRoot { get; init; }
    /// <summary><c>admin-rules</c>.</summary>
    public ImmutableArray<string> AdminRules { get; init; } = [];
    /// <summary><c>access-rules</c>.</summary>
    public ImmutableArray<string> AccessRules { get; init; } = [];
    /// <summary><c>authentication-realm</c>.</summary>
    public string? AuthenticationRealm { get; init; }
    /// <summary><c>semaphores</c>: global semaphores this tenant uses.</summary>
    public ImmutableArray<string> Semaphores { get; init; } = [];
    /// <summary><c>max-oidc-ttl</c>.</summary>
    public int MaxOidcTtl { get; init; } = 10800;
    /// <summary><c>default-oidc-ttl</c>.</summary>
    public int DefaultOidcTtl { get; init; } = 3600;
    /// <summary><c>allowed-oidc-issuers</c>.</summary>
    public ImmutableArray<string> AllowedOidcIssuers { get; init; } = [];
    /// <summary>Attributes newer than the reference (<c>use-nodepool</c>...): kept as written.</summary>
    public ImmutableDictionary<string, YamlNode> NewerAttributes { get; init; } = ImmutableDictionary<string, YamlNode>.Empty;
    /// <summary>Where the stanza starts.</summary>
    public required SourceLocation Location { get; init; }

    /// <summary>Every project in load order: all config projects (source order), then all untrusted projects.</summary>
    public ImmutableArray<TenantProjectConfig> ProjectsInLoadOrder =>
        [.. Sources.SelectMany(s => s.ConfigProjects), .. Sources.SelectMany(s => s.UntrustedProjects)];
}

/// <summary><c>authorization-rule</c> (or the old name <c>admin-rule</c>): conditions kept as YAML.</summary>
public sealed record AuthorizationRuleConfig(string Name, ImmutableArray<YamlMapping> Conditions, bool LegacyAdminRule, SourceLocation Location);

/// <summary><c>global-semaphore</c>.</summary>
public sealed record GlobalSemaphoreConfig(string Name, int Max, SourceLocation Location);

/// <summary><c>api-root</c>.</summary>
public sealed record ApiRootConfig(string? AuthenticationRealm, ImmutableArray<string> AccessRules, SourceLocation Location);

/// <summary>A whole tenant file.</summary>
public sealed record TenantFileConfig(
    ImmutableArray<TenantConfig> Tenants,
    ImmutableArray<AuthorizationRuleConfig> AuthorizationRules,
    ImmutableArray<GlobalSemaphoreConfig> GlobalSemaphores,
    ApiRootConfig? ApiRoot);

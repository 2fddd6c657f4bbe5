using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Yaml;

namespace Gating.Config.Parsing;

/// <summary>Parses a tenant file: <c>tenant</c>, <c>admin-rule</c>/<c>authorization-rule</c>, <c>global-semaphore</c>, <c>api-root</c>.</summary>
public static class TenantFileParser
{
    private static readonly StanzaSchema TenantSchema = new("tenant",
    [
        "name", "source", "max-nodes-per-job", "max-job-timeout", "max-dependencies", "max-changes-per-pipeline",
        "exclude-unprotected-branches", "exclude-locked-branches", "default-parent", "default-ansible-version",
        "allowed-triggers", "allowed-reporters", "allowed-labels", "disallowed-labels", "web-root", "admin-rules",
        "access-rules", "authentication-realm", "semaphores", "max-oidc-ttl", "default-oidc-ttl", "allowed-oidc-issuers",
        "report-build-page",
    ],
    ["use-nodepool", "image-build-pipeline", "provider-config"]);

    private static readonly StanzaSchema ProjectSchema = new("tenant project",
    [
        "include", "exclude", "shadow", "exclude-unprotected-branches", "exclude-locked-branches", "include-branches",
        "exclude-branches", "always-dynamic-branches", "implied-branch-matchers", "extra-config-paths",
        "configure-projects", "load-branch", "allow-base-jobs", "include-provider-config",
    ]);

    private static readonly StanzaSchema GroupSchema = new("tenant project group", [.. ProjectSchema.Known, "projects"]);
    private static readonly StanzaSchema SourceSchema = new("tenant source", ["config-projects", "untrusted-projects"]);
    private static readonly StanzaSchema RuleSchema = new("authorization-rule", ["name", "conditions"]);
    private static readonly StanzaSchema GlobalSemaphoreSchema = new("global-semaphore", ["name", "max"]);
    private static readonly StanzaSchema ApiRootSchema = new("api-root", ["authentication-realm", "access-rules"]);

    /// <summary>Parses tenant file text. Never throws.</summary>
    public static (TenantFileConfig Config, ImmutableArray<ConfigError> Errors) Parse(string text, string path)
    {
        var errors = new ErrorSink();
        var tenants = ImmutableArray.CreateBuilder<TenantConfig>();
        var rules = ImmutableArray.CreateBuilder<AuthorizationRuleConfig>();
        var semaphores = ImmutableArray.CreateBuilder<GlobalSemaphoreConfig>();
        ApiRootConfig? apiRoot = null;
        var doc = YamlDocumentReader.Read(text, path);
        foreach (var e in doc.Errors) errors.Add(e);
        if (doc.Root is YamlSequence top)
        {
            for (int i = 0; i < top.Items.Length; i++)
            {
                if (doc.BadTopLevelItems.Contains(i)) continue;
                var item = top.Items[i];
                if (item is not YamlMapping { Count: 1 } m || m.Entries[0].Value is not YamlMapping body)
                {
                    errors.Error(ConfigErrorCodes.InvalidStructure, item.Location, "each tenant file item must be a mapping with one key (tenant, authorization-rule, global-semaphore, api-root)");
                    continue;
                }
                string key = m.Entries[0].KeyText;
                int before = errors.ErrorCount;
                switch (key)
                {
                    case "tenant":
                        var t = ParseTenant(body, errors);
                        if (errors.ErrorCount == before && t is not null) tenants.Add(t);
                        break;
                    case "admin-rule" or "authorization-rule":
                        var rr = new StanzaReader(body, key, errors);
                        rr.CheckKeys(RuleSchema);
                        string? name = rr.String("name", required: true);
                        var conditions = ImmutableArray.CreateBuilder<YamlMapping>();
                        if (rr.Node("conditions") is { } cn)
                        {
                            foreach (var c in cn is YamlSequence cs ? cs.Items : [cn])
                            {
                                if (c is YamlMapping cm) conditions.Add(cm);
                                else errors.Error(ConfigErrorCodes.InvalidValue, c.Location, "each condition must be a mapping of claims");
                            }
                        }
                        if (errors.ErrorCount == before && name is not null) rules.Add(new AuthorizationRuleConfig(name, conditions.ToImmutable(), key == "admin-rule", body.Location));
                        break;
                    case "global-semaphore":
                        var sr = new StanzaReader(body, key, errors);
                        sr.CheckKeys(GlobalSemaphoreSchema);
                        string? sname = sr.String("name", required: true);
                        int max = sr.Int("max") ?? 1;
                        if (errors.ErrorCount == before && sname is not null) semaphores.Add(new GlobalSemaphoreConfig(sname, max, body.Location));
                        break;
                    case "api-root":
                        var ar = new StanzaReader(body, key, errors);
                        ar.CheckKeys(ApiRootSchema);
                        apiRoot = new ApiRootConfig(ar.String("authentication-realm"), ar.StringList("access-rules") ?? [], body.Location);
                        break;
                    default:
                        errors.Error(ConfigErrorCodes.UnknownStanza, m.Entries[0].Key.Location, $"unknown tenant file object '{key}'");
                        break;
                }
            }
        }
        else if (doc.Root is not null && doc.Root is not YamlScalar { IsNull: true })
        {
            errors.Error(ConfigErrorCodes.InvalidStructure, doc.Root.Location, "a tenant file must be a list");
        }
        return (new TenantFileConfig(tenants.ToImmutable(), rules.ToImmutable(), semaphores.ToImmutable(), apiRoot), [.. errors.All]);
    }

    private static TenantConfig? ParseTenant(YamlMapping body, ErrorSink errors)
    {
        var r = new StanzaReader(body, "tenant", errors);
        r.CheckKeys(TenantSchema);
        string? name = r.String("name", required: true);
        if (name is null) return null;
        var newer = ImmutableDictionary.CreateBuilder<string, YamlNode>(StringComparer.Ordinal);
        foreach (var e in body.Entries)
        {
            if (TenantSchema.Newer.Contains(e.KeyText)) newer[e.KeyText] = e.Value;
        }
        var sources = ImmutableArray.CreateBuilder<TenantSourceConfig>();
        if (r.Mapping("source") is { } sourceMap)
        {
            foreach (var e in sourceMap.Entries)
            {
                if (e.Value is not YamlMapping sm)
                {
                    errors.Error(ConfigErrorCodes.InvalidValue, e.Value.Location, $"source '{e.KeyText}' must be a mapping with config-projects/untrusted-projects");
                    continue;
                }
                var srd = new StanzaReader(sm, "tenant source", errors);
                srd.CheckKeys(SourceSchema);
                sources.Add(new TenantSourceConfig(e.KeyText,
                    Projects(srd.Node("config-projects"), e.KeyText, true, errors),
                    Projects(srd.Node("untrusted-projects"), e.KeyText, false, errors),
                    e.Key.Location));
            }
        }
        var defaults = new TenantConfig { Name = name, Location = body.Location };
        return defaults with
        {
            Sources = sources.ToImmutable(),
            MaxNodesPerJob = r.Int("max-nodes-per-job") ?? defaults.MaxNodesPerJob,
            MaxJobTimeout = r.Int("max-job-timeout") ?? defaults.MaxJobTimeout,
            MaxDependencies = r.Int("max-dependencies"),
            MaxChangesPerPipeline = r.Int("max-changes-per-pipeline"),
            ExcludeUnprotectedBranches = r.Bool("exclude-unprotected-branches") ?? false,
            ExcludeLockedBranches = r.Bool("exclude-locked-branches") ?? false,
            DefaultParent = r.String("default-parent") ?? defaults.DefaultParent,
            DefaultAnsibleVersion = r.Text("default-ansible-version"),
            AllowedTriggers = r.StringList("allowed-triggers"),
            AllowedReporters = r.StringList("allowed-reporters"),
            AllowedLabels = r.Regexes("allowed-labels"),
            DisallowedLabels = r.Regexes("disallowed-labels"),
            WebRoot = r.String("web-root"),
            AdminRules = r.StringList("admin-rules") ?? [],
            AccessRules = r.StringList("access-rules") ?? [],
            AuthenticationRealm = r.String("authentication-realm"),
            Semaphores = r.StringList("semaphores") ?? [],
            MaxOidcTtl = r.Int("max-oidc-ttl") ?? defaults.MaxOidcTtl,
            DefaultOidcTtl = r.Int("default-oidc-ttl") ?? defaults.DefaultOidcTtl,
            AllowedOidcIssuers = r.StringList("allowed-oidc-issuers") ?? [],
            NewerAttributes = newer.ToImmutable(),
        };
    }

    private static ImmutableArray<TenantProjectConfig> Projects(YamlNode? node, string connection, bool trusted, ErrorSink errors)
    {
        if (node is null || node is YamlScalar { IsNull: true }) return [];
        if (node is not YamlSequence seq)
        {
            errors.Error(ConfigErrorCodes.InvalidValue, node.Location, $"{(trusted ? "config-projects" : "untrusted-projects")} must be a list");
            return [];
        }
        var b = ImmutableArray.CreateBuilder<TenantProjectConfig>();
        foreach (var item in seq.Items)
        {
            switch (item)
            {
                case YamlScalar { Kind: YamlScalarKind.String } s:
                    b.Add(new TenantProjectConfig { Name = s.Text, Connection = connection, Trusted = trusted, Location = s.Location });
                    break;
                case YamlMapping m when m.TryGetEntry("projects", out var projectsEntry):
                    var gr = new StanzaReader(m, "tenant project group", errors);
                    gr.CheckKeys(GroupSchema);
                    var template = Options(gr, new TenantProjectConfig { Name = "", Connection = connection, Trusted = trusted, Location = m.Location });
                    foreach (var member in Projects(projectsEntry.Value, connection, trusted, errors))
                    {
                        // The member's own options win over the group's.
                        b.Add(Merge(template, member));
                    }
                    break;
                case YamlMapping { Count: 1 } m when m.Entries[0].Key is YamlScalar { Kind: YamlScalarKind.String } key:
                    var baseConfig = new TenantProjectConfig { Name = key.Text, Connection = connection, Trusted = trusted, Location = key.Location };
                    if (m.Entries[0].Value is YamlMapping opts)
                    {
                        var pr = new StanzaReader(opts, "tenant project", errors);
                        pr.CheckKeys(ProjectSchema);
                        b.Add(Options(pr, baseConfig));
                    }
                    else if (m.Entries[0].Value is YamlScalar { IsNull: true })
                    {
                        b.Add(baseConfig);
                    }
                    else
                    {
                        errors.Error(ConfigErrorCodes.InvalidValue, m.Entries[0].Value.Location, $"options of project '{key.Text}' must be a mapping");
                    }
                    break;
                default:
                    errors.Error(ConfigErrorCodes.InvalidValue, item.Location, $"a tenant project must be a name, {{name: {{options}}}} or a project group, not {item.Describe()}");
                    break;
            }
        }
        return b.ToImmutable();
    }

    private static TenantProjectConfig Options(StanzaReader r, TenantProjectConfig p)
    {
        if (r.Has("allow-base-jobs"))
        {
            r.Errors.Warning(ConfigErrorCodes.UnsupportedAttribute, r.Map.Get("allow-base-jobs")!.Location, "tenant project attribute 'allow-base-jobs' is newer than the reference; accepted");
        }
        if (r.Has("include-provider-config"))
        {
            r.Errors.Warning(ConfigErrorCodes.UnsupportedAttribute, r.Map.Get("include-provider-config")!.Location, "tenant project attribute 'include-provider-config' is newer than what Gating implements; accepted and ignored");
        }
        return p with
        {
            Include = Kinds(r, "include"),
            Exclude = Kinds(r, "exclude"),
            Shadow = r.StringList("shadow") ?? [],
            ExcludeUnprotectedBranches = r.Bool("exclude-unprotected-branches"),
            ExcludeLockedBranches = r.Bool("exclude-locked-branches"),
            IncludeBranches = r.Regexes("include-branches"),
            ExcludeBranches = r.Regexes("exclude-branches"),
            AlwaysDynamicBranches = r.Regexes("always-dynamic-branches"),
            ImpliedBranchMatchers = r.Bool("implied-branch-matchers"),
            ExtraConfigPaths = r.StringList("extra-config-paths") ?? [],
            ConfigureProjects = r.Regexes("configure-projects") ?? [],
            LoadBranch = r.Text("load-branch"),
            AllowBaseJobs = r.Bool("allow-base-jobs"),
            IncludeProviderConfig = r.Bool("include-provider-config"),
        };
    }

    private static TenantProjectConfig Merge(TenantProjectConfig group, TenantProjectConfig member) => member with
    {
        Include = member.Include ?? group.Include,
        Exclude = member.Exclude ?? group.Exclude,
        Shadow = member.Shadow.IsEmpty ? group.Shadow : member.Shadow,
        ExcludeUnprotectedBranches = member.ExcludeUnprotectedBranches ?? group.ExcludeUnprotectedBranches,
        ExcludeLockedBranches = member.ExcludeLockedBranches ?? group.ExcludeLockedBranches,
        IncludeBranches = member.IncludeBranches ?? group.IncludeBranches,
        ExcludeBranches = member.ExcludeBranches ?? group.ExcludeBranches,
        AlwaysDynamicBranches = member.AlwaysDynamicBranches ?? group.AlwaysDynamicBranches,
        ImpliedBranchMatchers = member.ImpliedBranchMatchers ?? group.ImpliedBranchMatchers,
        ExtraConfigPaths = member.ExtraConfigPaths.IsEmpty ? group.ExtraConfigPaths : member.ExtraConfigPaths,
        ConfigureProjects = member.ConfigureProjects.IsEmpty ? group.ConfigureProjects : member.ConfigureProjects,
        LoadBranch = member.LoadBranch ?? group.LoadBranch,
        AllowBaseJobs = member.AllowBaseJobs ?? group.AllowBaseJobs,
        IncludeProviderConfig = member.IncludeProviderConfig ?? group.IncludeProviderConfig,
    };

    private static ImmutableArray<ConfigObjectKind>? Kinds(StanzaReader r, string key)
    {
        if (r.StringListWithLocations(key) is not { } words)
        {
            // An empty list ("include: []") means "load nothing".
            return r.Node(key) is YamlSequence { Items.IsEmpty: true } ? [] : null;
        }
        var b = ImmutableArray.CreateBuilder<ConfigObjectKind>();
        foreach (var (word, at) in words)
        {
            if (ConfigObjectKinds.Parse(word) is { } k and not ConfigObjectKind.Pragma) b.Add(k);
            else r.Errors.Error(ConfigErrorCodes.InvalidValue, at, $"'{word}' is not a configuration object kind for '{key}'");
        }
        return b.ToImmutable();
    }
}

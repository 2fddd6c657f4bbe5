using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Config.Freezing;
using Gating.Config.Loading;
using Gating.Config.Model;
using Gating.Config.Parsing;
using Gating.Model;

namespace Gating.Config.Tests.Layout;

/// <summary>One config file of a project branch in a test tenant.</summary>
internal sealed record Src(string Project, string Yaml, bool Trusted = false, string Branch = "master", bool ManyBranches = false, string Path = "zuul.yaml");

/// <summary>
/// Builds a <see cref="FreezeLayout"/> from small YAML fixtures with config-parse's parser and layout builder. Projects load in the
/// order first given (config projects before untrusted, as a tenant does). Parse errors fail the test, so every
/// fixture is known to be valid configuration.
/// </summary>
internal static class LayoutFixture
{
    /// <summary>A config project with a base job, a nodeset and the check and gate pipelines.</summary>
    public const string ConfigProject = """
        - pipeline:
            name: check
            manager: independent
            trigger: {gerrit: [{event: patchset-created}]}
        - pipeline:
            name: post
            manager: supercedent
            post-review: true
            trigger: {gerrit: [{event: ref-updated}]}
        - nodeset:
            name: single
            nodes: [{name: primary, label: ubuntu}]
        - job:
            name: base
            parent: null
            pre-run: playbooks/base/pre.yaml
            post-run: playbooks/base/post.yaml
            nodeset: single
            timeout: 1800
            vars: {base_var: base, shared: {a: 1, b: 1}}
        """;

    public static FreezeLayout Load(params Src[] sources) => Load(t => t, sources);

    public static FreezeLayout Load(Func<TenantConfig, TenantConfig> tenant, params Src[] sources)
    {
        var projects = new List<TenantProjectConfig>();
        foreach (var src in sources)
        {
            if (!projects.Exists(p => p.Name == src.Project))
            {
                projects.Add(new TenantProjectConfig { Name = src.Project, Connection = "gerrit", Trusted = src.Trusted, Location = default });
            }
        }
        var config = projects.Where(p => p.Trusted).ToImmutableArray();
        var untrusted = projects.Where(p => !p.Trusted).ToImmutableArray();
        var tenantConfig = tenant(new TenantConfig
        {
            Name = "test",
            Location = default,
            Sources = [new TenantSourceConfig("gerrit", config, untrusted, default)],
        });
        var ordered = tenantConfig.ProjectsInLoadOrder;
        var parsed = new List<LoadedBranch>();
        foreach (var project in ordered)
        {
            foreach (var src in sources.Where(s => s.Project == project.Name))
            {
                var errors = new ErrorSink(src.Project, src.Branch);
                var parser = new ConfigFileParser(new BranchContext(project, src.Branch, src.ManyBranches, ordered.IndexOf(project)), errors);
                parser.AddFile(src.Path, src.Yaml);
                var result = parser.Build();
                var bad = result.Errors.Where(e => e.IsError).ToList();
                Assert.True(bad.Count == 0, "fixture does not parse: " + string.Join("; ", bad));
                parsed.Add(new LoadedBranch(project, src.Branch, result));
            }
        }
        // Reference problems (unknown jobs and parents...) are left to freezing, which the tests check.
        return FreezeLayout.From(LayoutBuilder.Build(tenantConfig, parsed));
    }

    /// <summary>The config project plus one untrusted project <c>org/app</c> with the given YAML.</summary>
    public static FreezeLayout App(string yaml) => Load(new Src("config", ConfigProject, Trusted: true), new Src("org/app", yaml));

    public static FreezeJobResult Freeze(FreezeLayout layout, string job, string project = "org/app", string branch = "master", string? pipeline = "check", string[]? files = null) =>
        new JobFreezer(layout).FreezeJob(job, new FreezeRequest(project, branch, pipeline, files is null ? null : [.. files]));

    public static FrozenJob Frozen(FreezeLayout layout, string job, string project = "org/app", string branch = "master", string? pipeline = "check", string[]? files = null)
    {
        var result = Freeze(layout, job, project, branch, pipeline, files);
        Assert.True(result.Ok, "freeze failed: " + string.Join("; ", result.Errors.Concat(result.Debug.Select(d => new ConfigError("debug", ConfigSeverity.Warning, d, "", 0, 0)))));
        return result.Job!;
    }

    public static JobGraphResult Graph(FreezeLayout layout, string project = "org/app", string branch = "master", string pipeline = "check", string[]? files = null) =>
        new JobFreezer(layout).FreezeJobGraph(new FreezeRequest(project, branch, pipeline, files is null ? null : [.. files]));

    public static string Var(VarValue? value) => value switch
    {
        null => "<missing>",
        VarScalar s => s.Text,
        VarList l => "[" + string.Join(",", l.Items.Select(Var)) + "]",
        VarMap m => "{" + string.Join(",", m.Entries.Select(e => e.Key + ":" + Var(e.Value))) + "}",
        _ => "?",
    };

    public static string[] Paths(ImmutableArray<FrozenPlaybook> playbooks) => [.. playbooks.Select(p => p.Path)];
}

using Gating.Config.Errors;
using Gating.Config.Loading;
using Gating.Config.Model;

namespace Gating.Config.Tests.Loading;

public sealed class TenantLoaderTests
{
    private static IEnumerable<ConfigError> Errors(TenantLayout l) => l.Errors.Where(e => e.IsError);

    [Fact]
    public void Config_projects_load_before_untrusted_and_variants_keep_load_order()
    {
        var layout = new TestTenant()
            .Untrusted("org/jobs", "zuul.yaml", "- job: {name: unit, parent: base, voting: false}\n")
            .Config("org/config", "zuul.yaml", TestTenant.Pipelines + "\n- job: {name: other}\n")
            .Load();
        Assert.Empty(Errors(layout));
        Assert.Equal(["check", "gate"], layout.Pipelines.Select(p => p.Name).ToArray());
        var unit = Assert.Single(layout.GetJobVariants("unit"));
        Assert.False(unit.Source.Trusted);
        Assert.Equal(1, unit.Source.ProjectIndex);
        Assert.True(layout.GetJobVariants("base")[0].Source.Trusted);
        Assert.Empty(layout.GetJobVariants("nope"));
    }

    [Fact]
    public void Pipelines_and_base_jobs_are_not_allowed_in_untrusted_projects()
    {
        var layout = new TestTenant()
            .Config("org/config", "zuul.yaml", TestTenant.Pipelines)
            .Untrusted("org/jobs", "zuul.yaml", "- pipeline: {name: p, manager: independent, trigger: {}}\n- job: {name: b, parent: null}\n- job: {name: ok}\n")
            .Load();
        Assert.Equal([ConfigErrorCodes.NotAllowed, ConfigErrorCodes.NotAllowed], Errors(layout).Select(e => e.Code).ToArray());
        Assert.All(Errors(layout), e => Assert.Equal(("org/jobs", "master"), (e.Project, e.Branch)));
        Assert.Single(layout.GetJobVariants("ok"));
        Assert.Null(layout.GetPipeline("p"));
    }

    [Fact]
    public void Untrusted_project_may_not_configure_another_project_or_use_regex_names()
    {
        var layout = new TestTenant()
            .Config("org/config", "zuul.yaml", TestTenant.Pipelines)
            .Untrusted("org/a", "zuul.yaml", "- project: {name: org/b, check: {jobs: [base]}}\n- project: {name: ^org/.*, check: {jobs: [base]}}\n- project: {name: org/a, check: {jobs: [base]}}\n")
            .Untrusted("org/c", "zuul.yaml", "- project: {name: org/b, check: {jobs: [base]}}\n", p => p with { ConfigureProjects = [new RegexMatcher("^org/b$", false, default)] })
            .Load();
        Assert.Equal(2, Errors(layout).Count(e => e.Code == ConfigErrorCodes.NotAllowed));
        Assert.Single(layout.GetProjectStanzas("org/a"));
        Assert.Equal("org/c", Assert.Single(layout.GetProjectStanzas("org/b")).Source.Project);
    }

    [Fact]
    public void Include_and_exclude_filter_object_kinds_silently()
    {
        var layout = new TestTenant()
            .Config("org/config", "zuul.yaml", TestTenant.Pipelines)
            .Untrusted("org/a", "zuul.yaml", "- job: {name: j}\n- nodeset: {name: n, nodes: []}\n- project: {check: {jobs: [j]}}\n",
                p => p with { Include = [ConfigObjectKind.Job, ConfigObjectKind.Nodeset], Exclude = [ConfigObjectKind.Nodeset] })
            .Load();
        Assert.Empty(layout.Errors);
        Assert.Single(layout.GetJobVariants("j"));
        Assert.Empty(layout.Nodesets);
        Assert.Empty(layout.ProjectStanzas);
    }

    [Fact]
    public void Job_defined_in_two_projects_is_an_error_unless_shadowed()
    {
        var layout = new TestTenant()
            .Config("org/config", "zuul.yaml", TestTenant.Pipelines + "\n- job: {name: shared}\n")
            .Untrusted("org/a", "zuul.yaml", "- job: {name: shared, voting: false}\n")
            .Untrusted("org/b", "zuul.yaml", "- job: {name: shared, timeout: 5}\n- job: {name: own}\n", p => p with { Shadow = ["org/config"] })
            .Load();
        var e = Assert.Single(Errors(layout));
        Assert.Equal(ConfigErrorCodes.JobDefinedInMultipleProjects, e.Code);
        Assert.Equal("org/a", e.Project);
        var shared = Assert.Single(layout.GetJobVariants("shared"));
        Assert.Equal("org/config", shared.Source.Project);
        Assert.Single(layout.GetJobVariants("own"));
    }

    [Fact]
    public void Same_project_may_add_variants_on_several_branches_with_implied_branch_matchers()
    {
        var layout = new TestTenant()
            .Config("org/config", "zuul.yaml", TestTenant.Pipelines)
            .UntrustedBranches("org/a", new()
            {
                ["master"] = new() { ["zuul.yaml"] = "- job: {name: j}\n" },
                ["stable/1"] = new() { ["zuul.yaml"] = "- job: {name: j, voting: false}\n- job: {name: k, branches: ^feature}\n" },
            })
            .Load();
        Assert.Empty(Errors(layout));
        var variants = layout.GetJobVariants("j");
        Assert.Equal(["master", "stable/1"], variants.Select(v => v.Source.Branch).ToArray());
        Assert.True(variants[0].EffectiveBranchMatchers.Single().Matches("master"));
        Assert.False(variants[0].EffectiveBranchMatchers.Single().Matches("master2"));
        Assert.True(variants[1].EffectiveBranchMatchers.Single().Matches("stable/1"));
        var k = Assert.Single(layout.GetJobVariants("k"));
        Assert.True(k.EffectiveBranchMatchers.Single().Matches("feature/x"));
        Assert.Equal(["master", "stable/1"], layout.ProjectBranches["org/a"].ToArray());
    }

    [Fact]
    public void Single_branch_untrusted_and_config_projects_have_no_implied_branches_unless_asked()
    {
        var layout = new TestTenant()
            .Config("org/config", "zuul.yaml", TestTenant.Pipelines)
            .Untrusted("org/a", "zuul.yaml", "- job: {name: a}\n")
            .Untrusted("org/b", "zuul.yaml", "- job: {name: b}\n", p => p with { ImpliedBranchMatchers = true })
            .Untrusted("org/c", "zuul.yaml", "- pragma: {implied-branches: [master, ^stable/.*]}\n- job: {name: c}\n")
            .Untrusted("org/d", "zuul.yaml", "- job: {name: d}\n- pragma: {implied-branch-matchers: true}\n")
            .Load();
        Assert.Empty(Errors(layout));
        Assert.Empty(layout.GetJobVariants("base")[0].EffectiveBranchMatchers);
        Assert.Empty(layout.GetJobVariants("a")[0].EffectiveBranchMatchers);
        Assert.Single(layout.GetJobVariants("b")[0].EffectiveBranchMatchers);
        var c = layout.GetJobVariants("c")[0].EffectiveBranchMatchers;
        Assert.Equal(2, c.Length);
        Assert.True(c[1].Matches("stable/2024.1"));
        Assert.False(c[0].Matches("master-old"));
        Assert.Single(layout.GetJobVariants("d")[0].EffectiveBranchMatchers);
    }

    [Fact]
    public void Include_and_exclude_branches_choose_the_branches_loaded()
    {
        var branches = new Dictionary<string, Dictionary<string, string>>
        {
            ["master"] = new() { ["zuul.yaml"] = "- job: {name: j}\n" },
            ["stable/1"] = new() { ["zuul.yaml"] = "- job: {name: j}\n" },
            ["old/1"] = new() { ["zuul.yaml"] = "- job: {name: j}\n" },
        };
        var layout = new TestTenant()
            .UntrustedBranches("org/a", branches, p => p with { ExcludeBranches = [new RegexMatcher("^old", false, default)] })
            .UntrustedBranches("org/b", branches.ToDictionary(kv => kv.Key, kv => new Dictionary<string, string> { ["zuul.yaml"] = "- job: {name: b}\n" }),
                p => p with { IncludeBranches = [new RegexMatcher("^stable", false, default)], ExcludeBranches = [new RegexMatcher(".*", false, default)] })
            .Load();
        Assert.Equal(["master", "stable/1"], layout.ProjectBranches["org/a"].ToArray());
        Assert.Equal(["stable/1"], layout.ProjectBranches["org/b"].ToArray());
    }

    [Fact]
    public void Duplicate_pipelines_nodesets_secrets_and_templates_across_projects_are_errors()
    {
        var layout = new TestTenant()
            .Config("org/config", "zuul.yaml", TestTenant.Pipelines + """

                - pipeline: {name: check, manager: independent, trigger: {}}
                - nodeset: {name: n, nodes: []}
                - secret: {name: s, data: {a: b}}
                - semaphore: {name: sem}
                - project-template: {name: t}
                """)
            .Untrusted("org/a", "zuul.yaml", "- nodeset: {name: n, nodes: []}\n- secret: {name: s, data: {}}\n- semaphore: {name: sem}\n- project-template: {name: t}\n- queue: {name: q}\n- queue: {name: q}\n")
            .Load();
        Assert.Equal(6, Errors(layout).Count(e => e.Code == ConfigErrorCodes.DuplicateDefinition));
    }

    [Fact]
    public void Unresolved_references_are_reported_with_locations()
    {
        var layout = new TestTenant()
            .Config("org/config", "zuul.yaml", TestTenant.Pipelines + "\n- pipeline: {name: post, manager: supercedent, trigger: {}, supercedes: nope}\n")
            .Untrusted("org/a", "zuul.yaml", """
                - secret: {name: mine, data: {}}
                - job:
                    name: j
                    parent: missing-parent
                    nodeset: missing-nodeset
                    secrets: [missing-secret, mine]
                    semaphores: missing-sem
                - nodeset:
                    name: alt
                    alternatives: [missing-alt]
                - project:
                    templates: [missing-template]
                    check:
                      jobs:
                        - missing-job
                        - j: {nodeset: other-missing}
                    missing-pipeline:
                      jobs: []
                """)
            .Load();
        var byCode = layout.Errors.ToLookup(e => e.Code);
        Assert.Equal((4, 13), At(byCode[ConfigErrorCodes.UnknownParent].Single()));
        Assert.Equal(3, byCode[ConfigErrorCodes.UnknownNodeset].Count());
        Assert.Equal((6, 15), At(byCode[ConfigErrorCodes.UnknownSecret].Single()));
        Assert.False(byCode[ConfigErrorCodes.UnknownSemaphore].Single().IsError);
        Assert.Equal((12, 17), At(byCode[ConfigErrorCodes.UnknownTemplate].Single()));
        Assert.Equal((15, 11), At(byCode[ConfigErrorCodes.UnknownJob].Single()));
        Assert.Equal(2, byCode[ConfigErrorCodes.UnknownPipeline].Count());
        Assert.All(layout.Errors, e => Assert.True(e.Line > 0 && e.File.Length > 0));
        static (int, int) At(ConfigError e) => (e.Line, e.Column);
    }

    [Fact]
    public void Secrets_must_come_from_the_job_s_project()
    {
        var layout = new TestTenant()
            .Config("org/config", "zuul.yaml", "- secret: {name: s, data: {}}\n")
            .Untrusted("org/a", "zuul.yaml", "- job: {name: j, secrets: [s]}\n")
            .Load();
        Assert.Equal(ConfigErrorCodes.SecretNotInProject, Assert.Single(layout.Errors).Code);
    }

    [Fact]
    public void Regex_project_stanzas_apply_to_matching_projects_in_load_order()
    {
        var layout = new TestTenant()
            .Config("org/config", "zuul.yaml", TestTenant.Pipelines + "\n- project: {name: ^org/.*$, check: {jobs: [base]}}\n- project: {name: opendev.org/org/a, gate: {jobs: [base]}}\n")
            .Untrusted("org/a", "zuul.yaml", "- project: {check: {jobs: [base]}}\n")
            .Load();
        Assert.Empty(Errors(layout));
        var stanzas = layout.GetProjectStanzas("org/a");
        Assert.Equal(3, stanzas.Length);
        Assert.True(stanzas[0].NameIsRegex);
        Assert.Equal("org/a", stanzas[2].Source.Project);
        Assert.Single(layout.GetProjectStanzas("org/zzz"));
    }

    [Fact]
    public void Missing_repository_is_one_warning_and_the_rest_loads()
    {
        var layout = new TestTenant()
            .Config("org/config", "zuul.yaml", TestTenant.Pipelines)
            .MissingUntrusted("org/gone")
            .Load();
        var e = Assert.Single(layout.Errors);
        Assert.Equal((ConfigErrorCodes.MissingRepository, ConfigSeverity.Warning), (e.Code, e.Severity));
        Assert.Equal(2, layout.Pipelines.Length);
    }

    [Fact]
    public void A_broken_file_does_not_stop_the_other_files()
    {
        var layout = new TestTenant()
            .Config("org/config", new Dictionary<string, string>
            {
                ["zuul.d/a.yaml"] = "- job: {name: a\n",
                ["zuul.d/b.yaml"] = "- job: {name: b}\n",
            })
            .Load();
        Assert.Equal(ConfigErrorCodes.YamlSyntax, Assert.Single(layout.Errors).Code);
        Assert.Single(layout.GetJobVariants("b"));
    }

    [Fact]
    public void Cache_reuses_unchanged_branches()
    {
        var cache = new ProjectConfigCache();
        var tenant = new TestTenant()
            .Config("org/config", "zuul.yaml", TestTenant.Pipelines)
            .Untrusted("org/a", "zuul.yaml", "- job: {name: a}\n");
        var first = tenant.Load(cache);
        var second = tenant.Load(cache);
        Assert.Same(first.GetJobVariants("a")[0], second.GetJobVariants("a")[0]);
        Assert.Equal(2, cache.Count);
    }
}

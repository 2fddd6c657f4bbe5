using Gating.Config.Freezing;
using Gating.Model;
using static Gating.Config.Tests.Layout.LayoutFixture;

namespace Gating.Config.Tests.Layout;

/// <summary>Every merge rule of reference §2.4, each with a hand-derived expectation.</summary>
public sealed class MergeRuleTests
{
    [Fact]
    public void Vars_deep_merge_leaf_keys_and_override_tag_replaces()
    {
        var layout = App("""
            - job: {name: p, run: r.yaml, vars: {shared: {b: 2, c: {deep: p}}, p_only: 1}}
            - job: {name: merged, parent: p, vars: {shared: {c: {deeper: m}}, list: [1, 2]}}
            - job:
                name: replaced
                parent: p
                vars: !override {only: me}
            - project: {check: {jobs: [merged, replaced]}}
            """);
        var merged = Frozen(layout, "merged");
        // base {base_var, shared{a:1,b:1}} <- p {shared{b:2,c{deep}}, p_only} <- merged {shared{c{deeper}}, list}
        Assert.Equal("{a:1,b:2,c:{deep:p,deeper:m}}", Var(merged.Vars["shared"]));
        Assert.Equal("base", Var(merged.Vars["base_var"]));
        Assert.Equal("1", Var(merged.Vars["p_only"]));
        Assert.Equal("[1,2]", Var(merged.Vars["list"]));
        Assert.Equal(VarScalarKind.Int, ((VarScalar)merged.Vars["p_only"]!).Kind);

        var replaced = Frozen(layout, "replaced");
        Assert.Equal("{only:me}", Var(replaced.Vars));
    }

    [Fact]
    public void Extra_host_and_group_vars_deep_merge_separately()
    {
        var layout = App("""
            - job:
                name: p
                run: r.yaml
                extra-vars: {e: {x: 1}}
                host-vars: {primary: {h: 1, keep: p}}
                group-vars: {peers: {g: 1}}
            - job:
                name: c
                parent: p
                extra-vars: {e: {y: 2}}
                host-vars: {primary: {h: 2}, other: {o: 1}}
                group-vars: {peers: {g2: 2}}
            - project: {check: {jobs: [c]}}
            """);
        var job = Frozen(layout, "c");
        Assert.Equal("{e:{x:1,y:2}}", Var(job.ExtraVars));
        Assert.Equal("{primary:{h:2,keep:p},other:{o:1}}", Var(job.HostVars));
        Assert.Equal("{peers:{g:1,g2:2}}", Var(job.GroupVars));
        Assert.Null(job.Vars["e"]);
    }

    [Fact]
    public void Template_vars_then_project_vars_then_job_vars_then_local_variant_vars()
    {
        var layout = App("""
            - job: {name: j, run: r.yaml, vars: {job: j, over: job}}
            - project-template:
                name: tmpl
                vars: {tmpl: t, over: template, proj_over: template}
                check: {jobs: [j]}
            - project:
                templates: [tmpl]
                vars: {proj: p, over: project, proj_over: project}
                check:
                  jobs:
                    - j: {vars: {local: l}}
            """);
        var job = Frozen(layout, "j");
        Assert.Equal("t", Var(job.Vars["tmpl"]));
        Assert.Equal("p", Var(job.Vars["proj"]));
        Assert.Equal("project", Var(job.Vars["proj_over"]));
        Assert.Equal("job", Var(job.Vars["over"]));
        Assert.Equal("l", Var(job.Vars["local"]));
    }

    [Fact]
    public void Pre_run_parent_first_post_run_child_first_run_replaced_with_nesting_levels()
    {
        var layout = App("""
            - job: {name: p, pre-run: p-pre.yaml, run: p-run.yaml, post-run: p-post.yaml}
            - job: {name: c, parent: p, pre-run: [c-pre1.yaml, c-pre2.yaml], run: c-run.yaml, post-run: c-post.yaml}
            - job: {name: c, post-run: c-variant-post.yaml}
            - project: {check: {jobs: [c]}}
            """);
        var job = Frozen(layout, "c");
        Assert.Equal(["playbooks/base/pre.yaml", "p-pre.yaml", "c-pre1.yaml", "c-pre2.yaml"], Paths(job.PreRun));
        Assert.Equal(["c-run.yaml"], Paths(job.Run));
        Assert.Equal(["c-variant-post.yaml", "c-post.yaml", "p-post.yaml", "playbooks/base/post.yaml"], Paths(job.PostRun));
        Assert.Equal([0, 1, 2, 2], job.PreRun.Select(p => p.NestingLevel));
        Assert.Equal([2, 2, 1, 0], job.PostRun.Select(p => p.NestingLevel));
        Assert.Equal(2, job.Run[0].NestingLevel);
        // Each playbook keeps the project and trust of the definition that named it.
        Assert.True(job.PreRun[0].Trusted);
        Assert.Equal("config", job.PreRun[0].Project);
        Assert.False(job.Run[0].Trusted);
        Assert.Equal("org/app", job.Run[0].Project);
    }

    [Fact]
    public void Post_run_cleanup_flag_and_playbook_semaphores_are_kept()
    {
        var layout = App("""
            - job:
                name: j
                run: {name: r.yaml, semaphores: [lock]}
                post-run: [{name: clean.yaml, cleanup: true}]
            - project: {check: {jobs: [j]}}
            """);
        var job = Frozen(layout, "j");
        Assert.Equal<string>(["lock"], job.Run[0].Semaphores);
        Assert.True(job.PostRun[0].Cleanup);
        Assert.False(job.PostRun[1].Cleanup);
    }

    [Fact]
    public void Roles_accumulate_child_first_and_each_playbook_sees_roles_up_to_its_level()
    {
        var layout = Load(
            new Src("config", ConfigProject, Trusted: true),
            new Src("org/roles", "- job: {name: unused, run: x.yaml}\n"),
            new Src("org/app", """
                - job: {name: p, pre-run: p-pre.yaml, run: r.yaml, roles: [{zuul: org/roles}]}
                - job: {name: c, parent: p, pre-run: c-pre.yaml, roles: [{zuul: org/roles, name: alias}]}
                - project: {check: {jobs: [c]}}
                """));
        var job = Frozen(layout, "c");
        string Roles(FrozenPlaybook p) => string.Join(",", p.Roles.Select(r => r.Project + ":" + r.Name));
        // base level: only config's implicit role.
        Assert.Equal("config:config", Roles(job.PreRun[0]));
        // p level: p's roles in front: implicit org/app, then org/roles.
        Assert.Equal("org/app:app,org/roles:roles,config:config", Roles(job.PreRun[1]));
        // c level: c adds org/roles as 'alias' (new) in front; org/app implicit already present.
        Assert.Equal("org/roles:alias,org/app:app,org/roles:roles,config:config", Roles(job.PreRun[2]));
    }

    [Fact]
    public void Required_projects_merge_by_name_and_override_tag_replaces()
    {
        var layout = App("""
            - job: {name: p, run: r.yaml, required-projects: [org/a, {name: org/b, override-checkout: stable}]}
            - job: {name: c, parent: p, required-projects: [{name: org/a, override-checkout: feature}, org/c]}
            - job:
                name: o
                parent: p
                required-projects: !override [org/z]
            - project: {check: {jobs: [c, o]}}
            """);
        var c = Frozen(layout, "c");
        Assert.Equal(["org/a@feature", "org/b@stable", "org/c@"], c.RequiredProjects.Select(r => $"{r.Name}@{r.OverrideCheckout}"));
        Assert.Equal(["org/z"], Frozen(layout, "o").RequiredProjects.Select(r => r.Name));
    }

    [Fact]
    public void Tags_provides_requires_failure_output_union_unless_overridden()
    {
        var layout = App("""
            - job: {name: p, run: r.yaml, tags: [a, b], provides: [x], requires: [q], failure-output: ['^ERROR']}
            - job: {name: c, parent: p, tags: [b, c], provides: [y], requires: !override [r], failure-output: ['^FATAL']}
            - project: {check: {jobs: [c]}}
            """);
        var job = Frozen(layout, "c");
        Assert.Equal<string>(["a", "b", "c"], job.Tags);
        Assert.Equal<string>(["x", "y"], job.Provides);
        Assert.Equal<string>(["r"], job.Requires);
        Assert.Equal<string>(["^ERROR", "^FATAL"], job.FailureOutput);
    }

    [Fact]
    public void Files_irrelevant_files_and_dependencies_override_unless_inherit()
    {
        var layout = App("""
            - job: {name: d1, run: r.yaml}
            - job: {name: d2, run: r.yaml}
            - job: {name: p, run: r.yaml, files: ['^src/'], irrelevant-files: ['^docs/'], dependencies: [d1]}
            - job: {name: over, parent: p, files: ['^lib/'], irrelevant-files: ['^README'], dependencies: [d2]}
            - job:
                name: inh
                parent: p
                files: !inherit ['^lib/']
                irrelevant-files: !inherit ['^README']
                dependencies: !inherit [{name: d2, soft: true}]
            - project: {check: {jobs: [over, inh]}}
            """);
        var over = Frozen(layout, "over");
        Assert.Equal<string>(["^lib/"], over.Files);
        Assert.Equal<string>(["^README"], over.IrrelevantFiles);
        Assert.Equal(["d2"], over.Dependencies.Select(d => d.Name));
        var inh = Frozen(layout, "inh");
        Assert.Equal<string>(["^src/", "^lib/"], inh.Files);
        Assert.Equal<string>(["^docs/", "^README"], inh.IrrelevantFiles);
        Assert.Equal(["d1:False", "d2:True"], inh.Dependencies.Select(d => $"{d.Name}:{d.Soft}"));
    }

    [Fact]
    public void Semaphores_are_unioned_and_sorted_allowed_projects_intersected_post_review_sticky()
    {
        var layout = App("""
            - job: {name: p, run: r.yaml, semaphores: [zeta], allowed-projects: [org/app, org/other], post-review: true}
            - job: {name: c, parent: p, semaphore: alpha, allowed-projects: [org/app, org/third], post-review: false}
            - project: {post: {jobs: [c]}}
            """);
        var result = Freeze(layout, "c", pipeline: "post");
        Assert.True(result.Ok, string.Join("; ", result.Errors));
        var job = result.Job!;
        Assert.Equal(["alpha", "zeta"], job.Semaphores.Select(s => s.Name));
        Assert.Equal<string>(["org/app"], job.AllowedProjects!.Value);
        Assert.True(job.PostReview);
    }

    [Fact]
    public void Scalars_are_replaced_by_the_child_and_the_last_variant()
    {
        var layout = App("""
            - job: {name: p, run: r.yaml, timeout: 600, post-timeout: 300, attempts: 5, voting: false, override-checkout: stable}
            - job: {name: c, parent: p, timeout: 900, ansible-version: '9', workspace-scheme: flat}
            - job: {name: c, post-timeout: 120}
            - project: {check: {jobs: [c]}}
            """);
        var job = Frozen(layout, "c");
        Assert.Equal(900, job.Timeout);
        Assert.Equal(120, job.PostTimeout);
        Assert.Equal(5, job.Attempts);
        Assert.False(job.Voting);
        Assert.Equal("stable", job.OverrideCheckout);
        Assert.Equal("9", job.AnsibleVersion);
        Assert.Equal("flat", job.WorkspaceScheme);
    }

    [Fact]
    public void Include_vars_are_appended()
    {
        var layout = App("""
            - job: {name: p, run: r.yaml, include-vars: [a.yaml]}
            - job: {name: c, parent: p, include-vars: [{name: b.yaml, zuul-project: true, required: false}]}
            - project: {check: {jobs: [c]}}
            """);
        var job = Frozen(layout, "c");
        Assert.Equal(["a.yaml@org/app:True", "b.yaml@:False"], job.IncludeVars.Select(i => $"{i.Name}@{i.Project}:{i.Required}"));
    }

    [Fact]
    public void Tenant_default_ansible_version_applies_when_no_variant_sets_one()
    {
        var layout = Load(t => t with { DefaultAnsibleVersion = "11" },
            new Src("config", ConfigProject, Trusted: true),
            new Src("org/app", "- job: {name: j, run: r.yaml}\n- job: {name: k, run: r.yaml, ansible-version: 9}\n- project: {check: {jobs: [j, k]}}\n"));
        Assert.Equal("11", Frozen(layout, "j").AnsibleVersion);
        Assert.Equal("9", Frozen(layout, "k").AnsibleVersion);
    }
}

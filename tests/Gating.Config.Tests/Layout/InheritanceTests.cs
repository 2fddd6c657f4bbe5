using Gating.Config.Errors;
using Gating.Config.Freezing;
using static Gating.Config.Tests.Layout.LayoutFixture;

namespace Gating.Config.Tests.Layout;

/// <summary>Variant selection and the inheritance chain (reference §2.7 steps 2-3, §2.4 flags).</summary>
public sealed class InheritanceTests
{
    [Fact]
    public void Default_parent_is_base_and_the_path_is_base_first()
    {
        var layout = App("""
            - job: {name: parent-job, run: playbooks/parent.yaml}
            - job: {name: child, parent: parent-job, run: playbooks/child.yaml}
            - project: {check: {jobs: [child]}}
            """);
        var job = Frozen(layout, "child");
        Assert.Equal(["base", "parent-job", "child", "child"], job.InheritancePath.Select(s => s.Job));
        Assert.Equal(["job", "job", "job", "project-pipeline"], job.InheritancePath.Select(s => s.Kind));
        Assert.Equal("config", job.InheritancePath[0].Project);
        Assert.Equal("org/app", job.InheritancePath[1].Project);
    }

    [Fact]
    public void Tenant_default_parent_is_used_when_a_job_names_none()
    {
        var layout = Load(t => t with { DefaultParent = "other-base" },
            new Src("config", ConfigProject + """

                - job: {name: other-base, parent: null, run: playbooks/other.yaml}
                """, Trusted: true),
            new Src("org/app", "- job: {name: j}\n- project: {check: {jobs: [j]}}\n"));
        var job = Frozen(layout, "j");
        Assert.Equal(["other-base", "j", "j"], job.InheritancePath.Select(s => s.Job));
    }

    [Fact]
    public void Parent_null_makes_a_base_job_with_no_default_parent()
    {
        var layout = Load(new Src("config", ConfigProject + """

            - job: {name: another-base, parent: null, run: playbooks/x.yaml}
            - project: {name: config, check: {jobs: [another-base]}}
            """, Trusted: true));
        var job = Frozen(layout, "another-base", project: "config");
        Assert.Equal(["another-base", "another-base"], job.InheritancePath.Select(s => s.Job));
        Assert.Empty(job.PreRun);
    }

    [Fact]
    public void Variants_are_selected_by_branch_and_applied_in_load_order()
    {
        var layout = App("""
            - job: {name: j, run: playbooks/run.yaml, vars: {v: all, order: first}}
            - job: {name: j, branches: master, vars: {v: master-only}}
            - job: {name: j, branches: [stable/.*], vars: {v: stable}}
            - job: {name: j, branches: {regex: master, negate: true}, vars: {neg: not-master}}
            - job: {name: j, vars: {order: last}}
            - project: {check: {jobs: [j]}}
            """);
        var master = Frozen(layout, "j", branch: "master");
        Assert.Equal("master-only", Var(master.Vars["v"]));
        Assert.Equal("last", Var(master.Vars["order"]));
        Assert.Null(master.Vars["neg"]);
        Assert.Equal(3, master.InheritancePath.Count(s => s.Job == "j" && s.Kind == "job"));

        var stable = Frozen(layout, "j", branch: "stable/2024.1");
        Assert.Equal("stable", Var(stable.Vars["v"]));
        Assert.Equal("not-master", Var(stable.Vars["neg"]));
    }

    [Fact]
    public void Implied_branch_matchers_tie_an_untrusted_definition_to_its_branch()
    {
        var layout = Load(
            new Src("config", ConfigProject, Trusted: true),
            new Src("org/app", "- job: {name: j, run: playbooks/master.yaml}\n- project: {check: {jobs: [j]}}\n", ManyBranches: true),
            new Src("org/app", "- job: {name: j, run: playbooks/stable.yaml}\n- project: {check: {jobs: [j]}}\n", Branch: "stable/1", ManyBranches: true));
        Assert.Equal(["playbooks/master.yaml"], Paths(Frozen(layout, "j", branch: "master").Run));
        Assert.Equal(["playbooks/stable.yaml"], Paths(Frozen(layout, "j", branch: "stable/1").Run));
        // Implied matchers match the whole branch name, not a prefix.
        var other = Freeze(layout, "j", branch: "stable/10");
        Assert.Null(other.Job);
    }

    [Fact]
    public void A_single_branch_untrusted_project_has_no_implied_matcher()
    {
        var layout = App("- job: {name: j, run: playbooks/run.yaml}\n- project: {check: {jobs: [j]}}\n");
        Assert.Equal(["playbooks/run.yaml"], Paths(Frozen(layout, "j", branch: "feature/x").Run));
    }

    [Fact]
    public void Unknown_parent_is_an_error_with_the_parent_location()
    {
        var layout = App("- job: {name: j, parent: nowhere, run: r.yaml}\n- project: {check: {jobs: [j]}}\n");
        var result = Freeze(layout, "j");
        var error = Assert.Single(result.Errors);
        Assert.Equal(ConfigErrorCodes.UnknownParent, error.Code);
        Assert.Equal("zuul.yaml", error.File);
        Assert.Equal(1, error.Line);
        Assert.Null(result.Job);
    }

    [Fact]
    public void Inheritance_cycle_is_an_error_not_a_hang()
    {
        var layout = App("""
            - job: {name: a, parent: b}
            - job: {name: b, parent: c}
            - job: {name: c, parent: a}
            - project: {check: {jobs: [a]}}
            """);
        var result = Freeze(layout, "a");
        var error = Assert.Single(result.Errors);
        Assert.Equal(FreezeErrorCodes.InheritanceCycle, error.Code);
        Assert.Contains("a -> b -> c -> a", error.Message);
        var graph = Graph(layout);
        Assert.Contains(graph.Errors, e => e.Code == FreezeErrorCodes.InheritanceCycle);
        Assert.Empty(graph.Graph.Jobs);
    }

    [Fact]
    public void A_parent_with_no_variant_for_the_branch_means_the_job_does_not_run()
    {
        var layout = App("""
            - job: {name: p, branches: stable/1, run: r.yaml}
            - job: {name: j, parent: p}
            - project: {check: {jobs: [j]}}
            """);
        var freeze = Freeze(layout, "j");
        Assert.Equal(FreezeErrorCodes.NoMatchingVariant, Assert.Single(freeze.Errors).Code);
        // In the job graph this is not an error, as in Zuul: the job just does not run.
        var graph = Graph(layout);
        Assert.True(graph.Ok);
        Assert.Empty(graph.Graph.Jobs);
        Assert.Contains(graph.Debug, d => d.Contains("parent of 'j'", StringComparison.Ordinal));
    }

    [Fact]
    public void Abstract_is_cleared_by_a_child_but_never_by_a_variant()
    {
        var layout = App("""
            - job: {name: abs, abstract: true, run: r.yaml}
            - job: {name: abs, abstract: false, vars: {x: 1}}
            - job: {name: concrete, parent: abs}
            - project: {check: {jobs: [abs, concrete]}}
            """);
        var abs = Freeze(layout, "abs");
        Assert.Equal(FreezeErrorCodes.AbstractJob, Assert.Single(abs.Errors).Code);
        Assert.True(Freeze(layout, "concrete").Ok);
    }

    [Fact]
    public void Final_job_refuses_execution_changes_but_takes_context_changes()
    {
        var layout = App("""
            - job: {name: fin, final: true, run: r.yaml}
            - job: {name: child, parent: fin, run: other.yaml}
            - project:
                check:
                  jobs:
                    - fin: {voting: false}
                    - child
            """);
        var fin = Frozen(layout, "fin");
        Assert.False(fin.Voting);
        var child = Freeze(layout, "child");
        var error = Assert.Single(child.Errors);
        Assert.Equal(FreezeErrorCodes.FinalJob, error.Code);
        Assert.Contains("final job 'fin'", error.Message);
    }

    [Fact]
    public void Final_job_refuses_a_project_pipeline_variant_that_changes_vars()
    {
        var layout = App("""
            - job: {name: fin, final: true, run: r.yaml}
            - project: {check: {jobs: [{fin: {vars: {x: 1}}}]}}
            """);
        Assert.Equal(FreezeErrorCodes.FinalJob, Assert.Single(Freeze(layout, "fin").Errors).Code);
    }

    [Fact]
    public void Protected_job_may_only_be_inherited_within_its_project()
    {
        var layout = Load(
            new Src("config", ConfigProject + """

                - job: {name: guarded, protected: true, run: r.yaml}
                - job: {name: same-project-child, parent: guarded, run: s.yaml}
                """, Trusted: true),
            new Src("org/app", """
                - job: {name: foreign-child, parent: guarded, run: f.yaml}
                - project: {check: {jobs: [foreign-child, same-project-child]}}
                """));
        Assert.Equal(FreezeErrorCodes.ProtectedJob, Assert.Single(Freeze(layout, "foreign-child").Errors).Code);
        Assert.True(Freeze(layout, "same-project-child").Ok);
    }

    [Fact]
    public void Protected_cannot_be_reset()
    {
        var layout = App("""
            - job: {name: guarded, protected: true, run: r.yaml}
            - job: {name: guarded, protected: false}
            - project: {check: {jobs: [guarded]}}
            """);
        Assert.Equal(FreezeErrorCodes.ProtectedJob, Assert.Single(Freeze(layout, "guarded").Errors).Code);
    }

    [Fact]
    public void Intermediate_job_may_only_be_inherited_by_abstract_jobs()
    {
        var layout = App("""
            - job: {name: mid, abstract: true, intermediate: true, run: r.yaml}
            - job: {name: bad, parent: mid}
            - job: {name: abstract-child, parent: mid, abstract: true}
            - job: {name: leaf, parent: abstract-child}
            - project: {check: {jobs: [bad, leaf]}}
            """);
        Assert.Equal(FreezeErrorCodes.IntermediateJob, Assert.Single(Freeze(layout, "bad").Errors).Code);
        Assert.True(Freeze(layout, "leaf").Ok);
    }

    [Fact]
    public void Attribute_control_final_freezes_one_attribute()
    {
        var layout = App("""
            - job: {name: p, run: r.yaml, vars: {x: 1}, attribute-control: {vars: {final: true}}}
            - job: {name: ok-child, parent: p, timeout: 60}
            - job: {name: bad-child, parent: p, vars: {x: 2}}
            - project: {check: {jobs: [ok-child, bad-child]}}
            """);
        Assert.Equal(60, Frozen(layout, "ok-child").Timeout);
        Assert.Equal(FreezeErrorCodes.FinalAttribute, Assert.Single(Freeze(layout, "bad-child").Errors).Code);
    }

    [Fact]
    public void Without_a_pipeline_only_layout_variants_and_project_vars_apply()
    {
        var layout = App("""
            - job: {name: j, run: r.yaml}
            - project: {vars: {pv: project}, check: {jobs: [{j: {voting: false}}]}}
            """);
        var job = Frozen(layout, "j", pipeline: null);
        Assert.True(job.Voting);
        Assert.Equal("project", Var(job.Vars["pv"]));
        Assert.DoesNotContain(job.InheritancePath, s => s.Kind == "project-pipeline");
    }

    [Fact]
    public void Override_checkout_of_a_project_pipeline_variant_selects_that_branch_s_variants()
    {
        var layout = Load(
            new Src("config", ConfigProject, Trusted: true),
            new Src("org/lib", "- job: {name: lib-job, run: master.yaml}\n", ManyBranches: true),
            new Src("org/lib", "- job: {name: lib-job, run: stable.yaml}\n", Branch: "stable/1", ManyBranches: true),
            new Src("org/app", "- project: {check: {jobs: [{lib-job: {override-checkout: stable/1}}]}}\n"));
        Assert.Equal<string>(["stable.yaml"], Paths(Frozen(layout, "lib-job").Run));
    }
}

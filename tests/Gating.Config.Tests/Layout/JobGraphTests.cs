using Gating.Config.Errors;
using Gating.Config.Freezing;
using static Gating.Config.Tests.Layout.LayoutFixture;

namespace Gating.Config.Tests.Layout;

/// <summary>Project-pipeline variants (§2.7 step 1, 4) and the job graph (§2.7 steps 5, 8; §2.8).</summary>
public sealed class JobGraphTests
{
    [Fact]
    public void Job_list_comes_from_templates_then_stanzas_regex_stanzas_first_and_local_variants_apply_last()
    {
        var layout = Load(
            new Src("config", ConfigProject + """

                - job: {name: from-regex, run: r.yaml}
                - job: {name: from-config, run: r.yaml}
                - project: {name: ^org/.*, check: {jobs: [from-regex]}}
                - project: {name: org/app, check: {jobs: [{from-config: {voting: false}}]}}
                """, Trusted: true),
            new Src("org/app", """
                - job: {name: t1, run: r.yaml}
                - job: {name: own, run: r.yaml}
                - project-template: {name: tmpl, check: {jobs: [t1, {own: {timeout: 50}}]}}
                - project:
                    templates: [tmpl]
                    check:
                      jobs:
                        - own: {vars: {local: yes}}
                        - from-config
                """));
        var graph = Graph(layout);
        Assert.True(graph.Ok, string.Join("; ", graph.Errors));
        Assert.Equal(["from-regex", "from-config", "t1", "own"], graph.Graph.Jobs.Select(j => j.Name));
        var own = graph.Graph.Find("own")!;
        Assert.Equal(50, own.Timeout);
        Assert.Equal("true", Var(own.Vars["local"]));
        Assert.Equal(2, own.InheritancePath.Count(s => s.Kind == "project-pipeline"));
        Assert.False(graph.Graph.Find("from-config")!.Voting);
        Assert.True(graph.Pipeline.InPipeline);
    }

    [Fact]
    public void A_project_pipeline_variant_for_another_branch_does_not_apply_and_no_match_drops_the_job()
    {
        var layout = App("""
            - job: {name: j, run: r.yaml}
            - job: {name: k, run: r.yaml}
            - project:
                check:
                  jobs:
                    - j: {branches: stable/1, voting: false}
                    - j
                    - k: {branches: stable/1}
            """);
        var graph = Graph(layout);
        Assert.Equal(["j"], graph.Graph.Jobs.Select(j => j.Name));
        Assert.True(graph.Graph.Jobs[0].Voting);
        Assert.Contains(graph.Debug, d => d.Contains("'k'", StringComparison.Ordinal));
    }

    [Fact]
    public void Project_not_in_the_pipeline_has_an_empty_graph_and_unknown_pipeline_is_an_error()
    {
        var layout = App("- job: {name: j, run: r.yaml}\n- project: {post: {jobs: [j]}}\n");
        var graph = Graph(layout);
        Assert.True(graph.Ok);
        Assert.False(graph.Pipeline.InPipeline);
        Assert.Empty(graph.Graph.Jobs);
        Assert.Equal(ConfigErrorCodes.UnknownPipeline, Assert.Single(Graph(layout, pipeline: "nope").Errors).Code);
    }

    [Fact]
    public void Debug_and_fail_fast_are_collected_from_any_section()
    {
        var layout = App("- job: {name: j, run: r.yaml}\n- project: {check: {fail-fast: true, debug: true, jobs: [j]}}\n");
        var settings = Graph(layout).Pipeline;
        Assert.True(settings.FailFast);
        Assert.True(settings.Debug);
    }

    private const string FileJobs = """
        - job: {name: docs, run: r.yaml, files: ['^doc/']}
        - job: {name: code, run: r.yaml, irrelevant-files: ['^doc/', '.*\.md$']}
        - job: {name: always, run: r.yaml}
        - job: {name: strict, run: r.yaml, files: ['^doc/'], match-on-config-updates: false}
        - project: {check: {jobs: [docs, code, always, strict]}}
        """;

    [Fact]
    public void Files_and_irrelevant_files_select_jobs()
    {
        var layout = App(FileJobs);
        Assert.Equal(["docs", "always", "strict"], Graph(layout, files: ["doc/index.rst", "README.md"]).Graph.Jobs.Select(j => j.Name));
        Assert.Equal(["code", "always"], Graph(layout, files: ["src/main.c"]).Graph.Jobs.Select(j => j.Name));
        Assert.Equal(["docs", "code", "always", "strict"], Graph(layout, files: ["doc/a", "src/b"]).Graph.Jobs.Select(j => j.Name));
        // No file list (a ref, or freeze-job without --file): matchers are ignored.
        Assert.Equal(4, Graph(layout).Graph.Jobs.Length);
    }

    [Fact]
    public void Match_on_config_updates_runs_a_job_when_the_change_edits_its_configuration()
    {
        var layout = App(FileJobs);
        var names = Graph(layout, files: ["zuul.yaml"]).Graph.Jobs.Select(j => j.Name).ToArray();
        Assert.Contains("docs", names);
        Assert.DoesNotContain("strict", names);
        Assert.Contains("code", names);
    }

    [Fact]
    public void A_non_matching_hard_dependency_of_a_running_job_is_forced_to_run()
    {
        var layout = App("""
            - job: {name: build, run: r.yaml, files: ['^src/']}
            - job: {name: lint, run: r.yaml, files: ['^src/']}
            - job: {name: test, run: r.yaml, dependencies: [build, {name: lint, soft: true}]}
            - project: {check: {jobs: [build, lint, test]}}
            """);
        var graph = Graph(layout, files: ["README"]);
        Assert.True(graph.Ok, string.Join("; ", graph.Errors));
        Assert.Equal(["build", "test"], graph.Graph.Jobs.Select(j => j.Name));
        Assert.Equal<Gating.Model.JobGraphEdge>([new Gating.Model.JobGraphEdge("test", "build", false)], graph.Graph.Edges);
    }

    [Fact]
    public void Dependencies_become_edges_with_their_softness()
    {
        var layout = App("""
            - job: {name: a, run: r.yaml}
            - job: {name: b, run: r.yaml, dependencies: a}
            - job: {name: c, run: r.yaml, dependencies: [{name: b}, {name: a, soft: true}]}
            - project: {check: {jobs: [a, b, c]}}
            """);
        var graph = Graph(layout);
        Assert.True(graph.Ok);
        Assert.Equal(["b->a:False", "c->b:False", "c->a:True"], graph.Graph.Edges.Select(e => $"{e.Job}->{e.DependsOn}:{e.Soft}"));
        Assert.Equal<string>(["b", "a"], graph.Graph.TransitiveDependenciesOf("c"));
    }

    [Fact]
    public void Missing_hard_dependency_is_an_error_and_missing_soft_dependency_is_ignored()
    {
        var layout = App("""
            - job: {name: elsewhere, run: r.yaml}
            - job: {name: hard, run: r.yaml, dependencies: [elsewhere]}
            - job: {name: soft, run: r.yaml, dependencies: [{name: elsewhere, soft: true}]}
            - project: {check: {jobs: [hard, soft]}}
            """);
        var graph = Graph(layout);
        var error = Assert.Single(graph.Errors);
        Assert.Equal(FreezeErrorCodes.MissingDependency, error.Code);
        Assert.Equal("job 'hard' depends on 'elsewhere' which was not run", error.Message);
        Assert.Equal(4, error.Line);
        Assert.Empty(graph.Graph.Edges);
    }

    [Fact]
    public void Dependency_cycle_is_a_job_cycle_error()
    {
        var layout = App("""
            - job: {name: a, run: r.yaml, dependencies: [c]}
            - job: {name: b, run: r.yaml, dependencies: [a]}
            - job: {name: c, run: r.yaml, dependencies: [b]}
            - job: {name: free, run: r.yaml}
            - project: {check: {jobs: [a, b, c, free]}}
            """);
        var graph = Graph(layout);
        var error = Assert.Single(graph.Errors);
        Assert.Equal(FreezeErrorCodes.JobCycle, error.Code);
        Assert.Contains("a -> c -> b -> a", error.Message);
    }

    [Fact]
    public void Errors_never_throw_for_bad_references_in_the_graph()
    {
        var layout = App("""
            - job: {name: j, parent: missing-parent}
            - project: {check: {jobs: [j, not-defined, {also-missing: {voting: false}}]}}
            """);
        var graph = Graph(layout);
        Assert.Equal(
            [ConfigErrorCodes.UnknownParent, ConfigErrorCodes.UnknownJob, ConfigErrorCodes.UnknownJob],
            graph.Errors.Select(e => e.Code));
        Assert.All(graph.Errors, e => Assert.True(e.Line > 0, e.ToString()));
    }
}

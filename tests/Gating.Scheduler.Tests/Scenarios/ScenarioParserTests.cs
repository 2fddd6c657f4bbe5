using Gating.Testing.Scenarios;

namespace Gating.Scheduler.Tests.Scenarios;

public sealed class ScenarioParserTests
{
    private const string EveryStep = """
        name: every step
        repos:
          org/project:
            extra.txt: hello
          common-config:
            zuul.d/extra.yaml: |
              - job:
                  name: extra
        changes:
          - name: A
            depends-on: B
          - name: B
            project: org/project1
            files:
              b.txt: b
            topic: t
          - name: C
            parent: A
        steps:
          - upload: [A, B]
          - approve: C
          - approve: {change: A, Code-Review: 2, Approved: 1, by: alice}
          - recheck: A
          - comment: {change: B, text: "please recheck"}
          - new-patchset: {change: A, files: {a.txt: a2}}
          - new-patchset: B
          - abandon: A
          - restore: A
          - merge: B
          - ref-update: {project: org/project, ref: refs/tags/1.0}
          - advance-time: 1h
          - enqueue: {pipeline: gate, change: A}
          - enqueue: {pipeline: post, project: org/project, ref: refs/heads/master}
          - dequeue: {pipeline: gate, change: A}
          - promote: {pipeline: gate, changes: [C, A]}
          - reconfigure:
              common-config:
                zuul.d/extra.yaml: null
          - outcome: {job: project-test1, change: A, result: FAILURE}
          - outcome: {job: project-merge, retries: 2, return: {zuul: {child_jobs: [project-test1]}}, pause: true, times: 1}
          - hold: {job: project-test2}
          - release: all
          - merge-conflict: C
          - node-failure: {label: label1, fail: false}
          - create: {name: D, project: org/project2}
          - settle
          - expect:
              settle: false
              history:
                - project-merge A SUCCESS
                - {job: project-test1, change: A, result: FAILURE, with: [B, A]}
              history-unordered: []
              history-includes: [project-merge D]
              history-count: {count: 2, result: SUCCESS}
              running: [project-test2 C with A C]
              queue: {pipeline: gate, items: [A, "B+C", {change: D, live: false}, refs/heads/master], window: 20}
              votes: {A: {Verified: 2, Code-Review: ~}, B: none}
              merged: [A, B]
              reports:
                A: Build succeeded
                B: {pipeline: gate, count: 1, contains: [project-test1], lacks: FAILURE, last: [succeeded]}
        """;

    [Fact]
    public void Every_step_and_expectation_parses()
    {
        var s = ScenarioParser.Parse(EveryStep, "every.yaml");

        Assert.Equal("every step", s.Name);
        Assert.Equal(["A", "B", "C"], s.Changes.Select(c => c.Name));
        Assert.Equal(["B"], s.Changes[0].DependsOn.AsEnumerable());
        Assert.Equal("A", s.Changes[2].Parent);
        Assert.Equal("org/project1", s.Changes[1].Change.Project);
        Assert.Equal("t", s.Changes[1].Change.Topic);
        Assert.Equal(26, s.Steps.Length);
        Assert.IsType<CompoundStep>(s.Steps[0]);
        var approve = Assert.IsType<ApproveStep>(s.Steps[1]);
        Assert.Equal([new("Code-Review", 2), new("Approved", 1)], approve.Votes.AsEnumerable());
        var expect = Assert.IsType<ExpectStep>(s.Steps[^1]);
        Assert.False(expect.Settle);
        Assert.Equal(11, expect.Expectations.Length);
        var outcome = Assert.IsType<OutcomeStep>(s.Steps[18]);
        Assert.Equal("""{"zuul":{"child_jobs":["project-test1"]}}""", outcome.Rule.ReturnData);
        Assert.Equal(2, outcome.Rule.RetryAttempts);
        Assert.Equal(TimeSpan.FromHours(1), Assert.IsType<AdvanceTimeStep>(s.Steps[11]).By);
    }

    [Fact]
    public void Repos_extend_the_standard_fixture()
    {
        var s = ScenarioParser.Parse(EveryStep, "every.yaml");

        var config = s.Setup.Repos.Single(r => r.Project == "common-config");
        Assert.Contains("zuul.d/extra.yaml", config.Files.Keys);
        Assert.Contains("zuul.d/pipelines.yaml", config.Files.Keys);
        Assert.Equal("hello", s.Setup.Repos.Single(r => r.Project == "org/project").Files["extra.txt"]);
        Assert.Contains("tenant-one", s.Setup.TenantYaml, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_file_removes_it_from_the_fixture()
    {
        var s = ScenarioParser.Parse("""
            repos:
              common-config:
                zuul.d/projects.yaml: null
            steps: [settle]
            """, "x.yaml");

        Assert.DoesNotContain("zuul.d/projects.yaml", s.Setup.Repos.Single(r => r.Project == "common-config").Files.Keys);
    }

    [Fact]
    public void Errors_point_at_file_and_line()
    {
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("""
            changes:
              - name: A
            steps:
              - upload: A
              - jump: A
              - approve: Z
              - outcome: {job: x, result: GREAT}
            """, "bad.yaml"));

        Assert.Equal(3, e.Errors.Length);
        Assert.Equal(("bad.yaml", 5), (e.Errors[0].At.File, e.Errors[0].At.Line));
        Assert.Contains("unknown step 'jump'", e.Errors[0].Message, StringComparison.Ordinal);
        Assert.Equal(6, e.Errors[1].At.Line);
        Assert.Contains("'Z' names no change", e.Errors[1].Message, StringComparison.Ordinal);
        Assert.Equal(7, e.Errors[2].At.Line);
        Assert.StartsWith("bad.yaml:5:", e.Errors[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_parent_must_be_declared_before_but_depends_on_may_point_forward()
    {
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("""
            changes:
              - {name: A, parent: B, depends-on: B}
              - {name: B}
            steps: [settle]
            """, "p.yaml"));

        var error = Assert.Single(e.Errors);
        Assert.Equal(2, error.At.Line);
        Assert.Contains("'B' names no change declared before this point", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_syntax_errors_and_unknown_keys_are_reported()
    {
        var syntax = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("steps: [settle\n", "s.yaml"));
        Assert.Equal("s.yaml", syntax.Errors[0].At.File);

        var keys = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("""
            steps:
              - expect:
                  histroy: []
            """, "k.yaml"));
        Assert.Equal(3, Assert.Single(keys.Errors).At.Line);
    }

    [Fact]
    public void Fixture_none_needs_a_tenant()
    {
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("fixture: none\nsteps: [settle]\n", "n.yaml"));
        Assert.Contains("'fixture: none' needs a 'tenant' file", Assert.Single(e.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Short_build_patterns_tell_results_from_change_names()
    {
        var s = ScenarioParser.Parse("""
            changes: [{name: A}, {name: B}]
            steps:
              - expect:
                  history: ["project-test1 B FAILURE with A B", "project-post - SUCCESS", "project-merge"]
            """, "h.yaml");

        var h = Assert.IsType<HistoryExpectation>(Assert.IsType<ExpectStep>(s.Steps[0]).Expectations[0]);
        Assert.Equal(new BuildPattern("project-test1", "B", null, "FAILURE", null, null, null, null), h.Builds[0] with { With = null });
        Assert.Equal(["A", "B"], h.Builds[0].With!.Value.AsEnumerable());
        Assert.Equal("-", h.Builds[1].Change);
        Assert.Null(h.Builds[2].Result);
    }
}

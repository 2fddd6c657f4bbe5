using System.Collections.Immutable;
using Gating.Config.Model;
using JobDependency = Gating.Model.JobDependency;
using Gating.Model;
using Gating.Model.Events;
using Gating.Scheduler.Pipelines;
using static Gating.Scheduler.Tests.Pipelines.PipelineSimulator;

namespace Gating.Scheduler.Tests.Pipelines;

public sealed class JobGraphRuntimeTests
{
    internal static PipelineSettings Check() => new()
    {
        Name = "check",
        Manager = PipelineManagerKind.Independent,
        ReporterActions = ["start", "success", "failure"],
        Precedence = 300,
    };

    private static FrozenJob Job(string name, params JobDependency[] deps) =>
        new() { Name = name, InheritancePath = [], Dependencies = [.. deps] };

    private static JobGraph GraphOf(params FrozenJob[] jobs) =>
        new([.. jobs], [.. jobs.SelectMany(j => j.Dependencies.Select(d => new JobGraphEdge(j.Name, d.Name, d.Soft)))]);

    private static VarMap Map(params (string Key, VarValue Value)[] entries) =>
        new([.. entries.Select(e => new KeyValuePair<string, VarValue>(e.Key, e.Value))]);

    private static PipelineSimulator Sim(JobGraph graph) => new(Check(), _ => graph);

    private static Build BuildOf(PipelineSimulator sim, string job) => sim.Items.Single(i => i.Live).BuildSet.Builds[job];

    [Fact]
    public void A_failed_parent_skips_hard_and_soft_children_and_their_descendants()
    {
        var sim = Sim(GraphOf(Job("a"), Job("b", new JobDependency("a")), Job("c", new JobDependency("a", Soft: true)),
            Job("d", new JobDependency("b"))));
        sim.Enqueue(NewChange("org/project", 1));
        Assert.Equal(["a"], sim.Running.Values.Select(b => b.Job));

        sim.Complete("a", "1", BuildResults.Failure);

        var report = Assert.Single(sim.Reports, r => r.Kind == ReportKind.Failure);
        Assert.Equal("Build failed.\n\n- a a : FAILURE in 0s\n- b b : SKIPPED\n- c c : SKIPPED\n- d d : SKIPPED\n", report.Message);
    }

    [Fact]
    public void A_skipped_soft_dependency_does_not_skip_the_child()
    {
        var sim = Sim(GraphOf(Job("x"), Job("y", new JobDependency("x")), Job("z", new JobDependency("y", Soft: true))));
        sim.Enqueue(NewChange("org/project", 1));

        var childJobs = Map(("zuul", Map(("child_jobs", new VarList([])))));
        sim.Complete("x", "1", BuildResults.Success, childJobs);

        Assert.Equal(BuildResults.Skipped, BuildOf(sim, "y").Result);
        Assert.Equal(["z"], sim.Running.Values.Select(b => b.Job));
        sim.RunAll();
        var report = Assert.Single(sim.Reports, r => r.Kind == ReportKind.Success);
        Assert.Contains("Skipped 1 job\n", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Child_jobs_selects_children_and_return_data_reaches_them()
    {
        var sim = Sim(GraphOf(Job("build"), Job("unit", new JobDependency("build")), Job("docs", new JobDependency("build"))));
        sim.Enqueue(NewChange("org/project", 1));

        var data = Map(("image", new VarScalar("registry/x:1")), ("zuul", Map(("child_jobs", new VarList([new VarScalar("unit")])))));
        sim.Complete("build", "1", BuildResults.Success, data);

        var unit = sim.Build("unit", "1");
        Assert.Equal("registry/x:1", unit.Request.ParentData["image"]?.ToString());
        Assert.Null(unit.Request.ParentData["zuul"]);
        Assert.Equal(BuildResults.Skipped, BuildOf(sim, "docs").Result);
    }

    [Fact]
    public void Retries_until_attempts_then_RETRY_LIMIT()
    {
        var sim = Sim(GraphOf(Job("flaky") with { Attempts = 3 }));
        sim.Enqueue(NewChange("org/project", 1));

        sim.Complete("flaky", "1", null);
        Assert.Equal(2, sim.Build("flaky", "1").Request.Attempt);
        sim.Complete("flaky", "1", BuildResults.Aborted);
        Assert.Equal(3, sim.Build("flaky", "1").Request.Attempt);
        sim.Complete("flaky", "1", null);

        Assert.Empty(sim.Running);
        var report = Assert.Single(sim.Reports, r => r.Kind == ReportKind.Failure);
        Assert.Contains("- flaky flaky : RETRY_LIMIT", report.Message, StringComparison.Ordinal);
        Assert.Equal(3, sim.Actions.OfType<StartBuild>().Count());
    }

    [Fact]
    public void A_retry_that_then_succeeds_reports_success()
    {
        var sim = Sim(GraphOf(Job("flaky")));
        sim.Enqueue(NewChange("org/project", 1));
        sim.Complete("flaky", "1", null);
        sim.RunAll();
        Assert.Single(sim.Reports, r => r.Kind == ReportKind.Success);
    }

    [Fact]
    public void A_paused_build_lets_children_run_and_is_resumed_when_they_finish()
    {
        var sim = Sim(GraphOf(Job("registry"), Job("test", new JobDependency("registry"))));
        sim.Enqueue(NewChange("org/project", 1));
        var registry = sim.Build("registry", "1");

        sim.Send(new BuildPausedEvent(registry.Request.BuildId, Map(("registry_url", new VarScalar("http://r")))));

        var test = sim.Build("test", "1");
        Assert.Equal("http://r", test.Request.ParentData["registry_url"]?.ToString());
        Assert.DoesNotContain(sim.Actions, a => a is ResumeBuild);

        sim.Complete(test, BuildResults.Success);
        Assert.Equal(registry.Request.BuildId, Assert.Single(sim.Actions.OfType<ResumeBuild>()).BuildId);
        sim.Complete(registry, BuildResults.Success);
        Assert.Single(sim.Reports, r => r.Kind == ReportKind.Success);
    }

    [Fact]
    public void Non_voting_failure_does_not_fail_the_item_and_the_report_has_durations_and_urls()
    {
        var settings = Check() with { WebRoot = "https://zuul.example.com/t/tenant", FooterMessage = "Thanks." };
        var sim = new PipelineSimulator(settings, _ => GraphOf(Job("lint"), Job("experimental") with { Voting = false }));
        sim.Enqueue(NewChange("org/project", 1));

        sim.Now += TimeSpan.FromSeconds(6);
        sim.Complete("lint", "1", BuildResults.Success);
        sim.Now += TimeSpan.FromSeconds(3719);
        var experimental = sim.Build("experimental", "1");
        sim.Send(new BuildCompletedEvent(experimental.Request.BuildId, BuildResults.Failure, Url: "https://logs/e"));

        var report = Assert.Single(sim.Reports, r => r.Kind == ReportKind.Success);
        Assert.Equal(
            $"Build successful.\nhttps://zuul.example.com/t/tenant/buildset/{experimental.Request.BuildSetId}\n\n"
            + "- lint lint : SUCCESS in 6s\n"
            + "- experimental https://logs/e : FAILURE in 1h 02m 05s (non-voting)\n"
            + "\nThanks.",
            report.Message);
        Assert.Equal(BuildResults.Success, report.Result);
    }

    [Fact]
    public void A_failed_non_voting_parent_with_skipped_children_is_still_a_success()
    {
        // As Zuul's didAllJobsSucceed: non-voting results are ignored, skipped ones too, unless every job was skipped.
        var sim = Sim(GraphOf(Job("a") with { Voting = false }, Job("b", new JobDependency("a"))));
        sim.Enqueue(NewChange("org/project", 1));
        sim.Complete("a", "1", BuildResults.Failure);
        Assert.Single(sim.Reports, r => r.Kind == ReportKind.Success);
    }

    [Fact]
    public void Fail_fast_cancels_running_builds_and_skips_the_rest()
    {
        var sim = new PipelineSimulator(Check(), _ => GraphOf(Job("a"), Job("b"), Job("c", new JobDependency("b")))) { FailFast = true };
        sim.Enqueue(NewChange("org/project", 1));
        var b = sim.Build("b", "1").Request.BuildId;

        sim.Complete("a", "1", BuildResults.Failure);

        Assert.Contains(sim.Actions, a => a is CancelBuild c && c.BuildId == b);
        var report = Assert.Single(sim.Reports, r => r.Kind == ReportKind.Failure);
        Assert.Contains("- b b : CANCELED", report.Message, StringComparison.Ordinal);
        Assert.Contains("- c c : SKIPPED", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_jobs_and_enqueue_reporters()
    {
        var settings = Check() with { ReporterActions = ["enqueue", "start", "no-jobs", "success", "failure"], EnqueueMessage = "Queued in {pipeline.name}." };
        var sim = new PipelineSimulator(settings, _ => JobGraph.Empty);
        sim.Enqueue(NewChange("org/project", 1));

        Assert.Equal([ReportKind.Enqueue, ReportKind.NoJobs], sim.Reports.Select(r => r.Kind));
        Assert.Equal("Queued in check.", sim.Reports.First().Message);
        Assert.Equal(BuildResults.NoJobs, sim.Reports.Last().Result);
        Assert.Empty(sim.Items);
    }

    [Fact]
    public void Node_failure_tries_the_nodeset_alternatives_then_reports_NODE_FAILURE()
    {
        FrozenNodeset Nodeset(string label) => new(label, [new FrozenNode(["node"], label)], [], []);
        var nodeset = new FrozenNodeset("alts", [], [], [Nodeset("small"), Nodeset("large")]);
        var sim = Sim(GraphOf(Job("big") with { Nodeset = nodeset }));
        sim.FailNodeRequestsFor.Add("big");

        sim.Enqueue(NewChange("org/project", 1));

        Assert.Equal(["small", "large"], sim.Actions.OfType<RequestNodes>().Select(r => r.Nodeset.Name));
        var report = Assert.Single(sim.Reports, r => r.Kind == ReportKind.Failure);
        Assert.Contains("- big big : NODE_FAILURE", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nodes_are_requested_before_the_build_and_given_back_after_it()
    {
        var nodeset = new FrozenNodeset("one", [new FrozenNode(["node"], "ubuntu")], [], []);
        var sim = Sim(GraphOf(Job("unit") with { Nodeset = nodeset }));
        sim.Enqueue(NewChange("org/project", 1));

        var request = Assert.Single(sim.Actions.OfType<RequestNodes>());
        Assert.Equal(300, request.Precedence);
        var start = sim.Build("unit", "1").Request;
        Assert.Equal([$"node-{request.RequestId}"], start.Nodes.ToArray());
        sim.RunAll();
        Assert.Equal([$"node-{request.RequestId}"], Assert.Single(sim.Actions.OfType<ReturnNodes>()).Nodes.ToArray());
    }

    [Fact]
    public void A_semaphore_lets_one_holder_run_at_a_time()
    {
        var sim = Sim(GraphOf(Job("deploy") with { Semaphores = [new JobSemaphore("prod")] }));
        sim.Enqueue(NewChange("org/project", 1));
        sim.Enqueue(NewChange("org/project", 2));

        Assert.Equal(["1"], sim.Running.Values.Select(b => b.Change));
        Assert.Equal(["prod"], sim.State.Semaphores.Keys);
        sim.Complete("deploy", "1", BuildResults.Success);
        Assert.Equal(["2"], sim.Running.Values.Select(b => b.Change));
        sim.RunAll();
        Assert.Empty(sim.State.Semaphores);
    }

    [Fact]
    public void A_resources_first_semaphore_is_taken_after_the_nodes()
    {
        var nodeset = new FrozenNodeset("one", [new FrozenNode(["node"], "ubuntu")], [], []);
        var sim = Sim(GraphOf(Job("deploy") with { Nodeset = nodeset, Semaphores = [new JobSemaphore("prod", ResourcesFirst: true)] }));
        sim.Enqueue(NewChange("org/project", 1));
        sim.Enqueue(NewChange("org/project", 2));

        Assert.Equal(2, sim.Actions.OfType<RequestNodes>().Count());
        Assert.Single(sim.Running);
        sim.RunAll();
        Assert.Equal(2, sim.Reports.Count(r => r.Kind == ReportKind.Success));
    }
}

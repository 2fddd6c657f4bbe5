using Gating.Config.Model;
using Gating.Model;
using Gating.Model.Events;
using Gating.Scheduler.Pipelines;
using static Gating.Scheduler.Tests.Pipelines.PipelineSimulator;

namespace Gating.Scheduler.Tests.Pipelines;

public sealed class ManagerTests
{
    [Fact]
    public void Check_enqueues_needed_changes_ahead_as_non_live_items_in_its_own_queue()
    {
        var sim = new PipelineSimulator(JobGraphRuntimeTests.Check());
        var a = NewChange("org/project", 1);
        var b = NewChange("org/project", 2) with { GitParents = [a.Key] };
        var c = NewChange("org/project1", 3);

        sim.Enqueue(b, a);
        sim.Enqueue(c);

        Assert.Equal(2, sim.State.Queues.Length);
        Assert.Equal([false, true], sim.State.ItemsOf(sim.State.Queues[0]).Select(i => i.Live));
        Assert.All(sim.Running.Values.Where(r => r.Change == "2"), r => Assert.Equal("1 2", r.State));
        Assert.All(sim.Running.Values.Where(r => r.Change == "3"), r => Assert.Equal("3", r.State));
        Assert.DoesNotContain(sim.Running.Values, r => r.Change == "1");

        sim.Complete("test1", "3", BuildResults.Failure);
        sim.RunAll();

        Assert.Equal(["2"], sim.Reports.Where(r => r.Kind == ReportKind.Success).Select(r => r.Changes[0].Key.Id));
        Assert.Equal(["3"], sim.Reports.Where(r => r.Kind == ReportKind.Failure).Select(r => r.Changes[0].Key.Id));
        Assert.Empty(sim.Items);
        Assert.Empty(sim.Merged);
    }

    [Fact]
    public void The_same_change_twice_is_enqueued_once()
    {
        var sim = new PipelineSimulator(JobGraphRuntimeTests.Check());
        sim.Enqueue(NewChange("org/project", 1));
        sim.Enqueue(NewChange("org/project", 1));
        Assert.Single(sim.Items);
    }

    [Fact]
    public void Supercedent_keeps_the_running_item_and_the_newest()
    {
        var settings = new PipelineSettings { Name = "post", Manager = PipelineManagerKind.Supercedent, Precedence = 100 };
        var sim = new PipelineSimulator(settings);
        Change Ref(string rev) => new()
        {
            Key = new ChangeKey("gerrit", "org/project", "refs/heads/main"),
            Branch = "main",
            Ref = "refs/heads/main",
            NewRev = rev,
            Status = ChangeStatus.Merged,
        };

        sim.Enqueue(Ref("aaa"));
        sim.Enqueue(Ref("bbb"));
        sim.Enqueue(Ref("ccc"));

        Assert.Equal(["aaa", "ccc"], sim.Items.Select(i => i.Change.NewRev));
        Assert.Equal(1, Assert.Single(sim.State.Queues).Window);
        Assert.All(sim.Running.Values, r => Assert.Equal("refs/heads/main", r.Change));
        Assert.All(sim.Actions.OfType<StartBuild>(), s => Assert.Equal("aaa", s.Speculative[0].Revision));
        sim.RunAll();
        Assert.Equal(["aaa", "ccc"], sim.Actions.OfType<ItemDequeued>().Where(d => d.Result == BuildResults.Success)
            .Select(d => d.Changes[0].NewRev));
    }

    [Fact]
    public void Serial_runs_one_item_at_a_time_without_speculation()
    {
        var settings = new PipelineSettings { Name = "deploy", Manager = PipelineManagerKind.Serial };
        var sim = new PipelineSimulator(settings);
        sim.Context = sim.Context with { QueueOf = _ => new ProjectQueue("integrated") };
        sim.Enqueue(NewChange("org/project", 1));
        sim.Enqueue(NewChange("org/project1", 2));

        Assert.Equal(["1"], sim.Running.Values.Select(r => r.Change).Distinct());
        sim.RunAll();
        Assert.All(sim.History.Where(h => h.Change == "2"), h => Assert.Equal("2", h.State));
        Assert.Empty(sim.Actions.OfType<Submit>());
    }

    [Fact]
    public void A_cycle_becomes_one_item_when_the_queue_allows_it()
    {
        var sim = DependentPipelineTests.GateSim();
        sim.Context = sim.Context with { QueueOf = _ => new ProjectQueue("integrated", AllowCircularDependencies: true) };
        var a = NewChange("org/project", 1) with { DependsOn = [new ChangeKey("gerrit", "org/project1", "2")] };
        var b = NewChange("org/project1", 2) with { DependsOn = [a.Key] };

        sim.Enqueue(a, b);

        var item = Assert.Single(sim.Items);
        Assert.Equal(["1", "2"], item.Changes.Select(c => c.Key.Id));
        sim.RunAll();
        Assert.Equal(["1", "2"], sim.Merged.Select(c => c.Key.Id));
        Assert.Equal(["1", "2"], Assert.Single(sim.Reports, r => r.Kind == ReportKind.Success).Changes.Select(c => c.Key.Id));
    }

    [Fact]
    public void A_failing_cycle_fails_every_change_in_it()
    {
        var sim = DependentPipelineTests.GateSim();
        sim.Context = sim.Context with { QueueOf = _ => new ProjectQueue("integrated", AllowCircularDependencies: true) };
        var a = NewChange("org/project", 1) with { DependsOn = [new ChangeKey("gerrit", "org/project1", "2")] };
        var b = NewChange("org/project1", 2) with { DependsOn = [a.Key] };

        sim.Enqueue(a, b);
        sim.RunAll(r => r.Job == "test2" ? BuildResults.Failure : BuildResults.Success);

        var failure = Assert.Single(sim.Reports, r => r.Kind == ReportKind.Failure);
        Assert.Equal(2, failure.Changes.Length);
        Assert.StartsWith("These changes are part of a dependency cycle that failed.", failure.Message, StringComparison.Ordinal);
        Assert.Empty(sim.Merged);
    }

    [Fact]
    public void A_cycle_is_refused_when_the_queue_does_not_allow_it()
    {
        var sim = DependentPipelineTests.GateSim();
        var a = NewChange("org/project", 1) with { DependsOn = [new ChangeKey("gerrit", "org/project1", "2")] };
        var b = NewChange("org/project1", 2) with { DependsOn = [a.Key] };

        sim.Enqueue(a, b);

        Assert.Empty(sim.Items);
        var report = Assert.Single(sim.Reports);
        Assert.Null(report.ItemId);
        Assert.StartsWith("Dependency cycle detected and project org/project doesn't allow circular dependencies", report.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Max_changes_per_pipeline_refuses_more()
    {
        var sim = new PipelineSimulator(JobGraphRuntimeTests.Check() with { MaxChangesPerPipeline = 2 });
        sim.Enqueue(NewChange("org/project", 1));
        sim.Enqueue(NewChange("org/project", 2));
        sim.Enqueue(NewChange("org/project", 3));

        Assert.Equal(2, sim.Items.Count());
        Assert.Contains("would exceed its limit of 2 changes", Assert.Single(sim.Reports, r => r.ItemId is null).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Supercedes_asks_the_other_pipeline_to_drop_the_change_and_it_does()
    {
        var gate = DependentPipelineTests.GateSim();
        gate.Context = gate.Context with { Settings = gate.Context.Settings with { Supercedes = ["check"] } };
        var check = new PipelineSimulator(JobGraphRuntimeTests.Check() with { ReporterActions = ["start", "dequeue", "success"] });
        var a = NewChange("org/project", 1);
        check.Enqueue(a);

        gate.Enqueue(a);
        var supercede = Assert.Single(gate.Actions.OfType<SupercedeIn>());
        Assert.Equal("check", supercede.Pipeline);
        check.Send(new SupercedeEvent(supercede.Change));

        Assert.Empty(check.Items);
        Assert.Equal(3, check.Actions.OfType<CancelBuild>().Count());
        Assert.StartsWith("Build canceled.", Assert.Single(check.Reports, r => r.Kind == ReportKind.Dequeue).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Requirements_are_rechecked_every_pass()
    {
        var sim = DependentPipelineTests.GateSim();
        sim.Context = sim.Context with { MeetsRequirements = c => c.Approvals.Any(a => a.Label == "Workflow" && a.Value == 1) };
        var approved = NewChange("org/project", 1) with { Approvals = [new Approval("Workflow", 1, "core")] };

        sim.Enqueue(NewChange("org/project", 2));
        Assert.Empty(sim.Items);
        sim.Enqueue(approved);
        Assert.Single(sim.Items);

        sim.Send(new ChangesUpdatedEvent([approved with { Approvals = [] }]));

        Assert.Empty(sim.Items);
        Assert.Contains("missing merge requirement", Assert.Single(sim.Reports, r => r.Kind == ReportKind.Failure).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Operator_dequeue_removes_the_item_without_a_result()
    {
        var sim = DependentPipelineTests.GateSim();
        var a = NewChange("org/project", 1);
        sim.Enqueue(a);
        sim.Send(new DequeueEvent(a.Version));
        Assert.Empty(sim.Items);
        Assert.Equal(BuildResults.Dequeued, Assert.Single(sim.Actions.OfType<ItemDequeued>()).Result);
    }

    [Fact]
    public void Operator_enqueue_ignores_requirements()
    {
        var sim = DependentPipelineTests.GateSim();
        sim.Context = sim.Context with { MeetsRequirements = _ => false };
        sim.Send(new EnqueueEvent(NewChange("org/project", 1), ChangeGraph.None));
        sim.RunAll();
        Assert.Single(sim.Merged);
    }

    [Fact]
    public void Stale_results_of_a_reset_buildset_are_ignored()
    {
        var sim = DependentPipelineTests.GateSim();
        sim.Enqueue(NewChange("org/project", 1));
        sim.Enqueue(NewChange("org/project", 2));
        var stale = sim.Build("test1", "2").Request;
        sim.Complete("test1", "1", BuildResults.Failure);

        var before = sim.State;
        var result = PipelineCore.Handle(sim.Context, sim.State, new BuildCompletedEvent(stale.BuildId, BuildResults.Failure), sim.Now);

        Assert.Empty(result.Actions);
        Assert.Equal(before.Items.Count, result.State.Items.Count);
        Assert.All(result.State.AllItems, i => Assert.Equal(before.Items[i.Id].BuildSet, i.BuildSet));
    }
}

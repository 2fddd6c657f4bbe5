using Gating.Config.Model;
using Gating.Model;
using Gating.Model.Events;
using Gating.Scheduler.Pipelines;
using static Gating.Scheduler.Tests.Pipelines.PipelineSimulator;

namespace Gating.Scheduler.Tests.Pipelines;

public sealed class DependentPipelineTests
{
    internal static PipelineSettings Gate(int window = 20, int floor = 3) => new()
    {
        Name = "gate",
        Manager = PipelineManagerKind.Dependent,
        ReporterActions = ["start", "success", "failure"],
        Window = new WindowSettings(window, floor),
    };

    internal static PipelineSimulator GateSim(int window = 20, int floor = 3)
    {
        var sim = new PipelineSimulator(Gate(window, floor));
        sim.Context = sim.Context with { QueueOf = _ => new ProjectQueue("integrated") };
        return sim;
    }

    private static (Change A, Change B, Change C) EnqueueThree(PipelineSimulator sim)
    {
        var a = NewChange("org/project", 1);
        var b = NewChange("org/project", 2);
        var c = NewChange("org/project1", 3);
        sim.Enqueue(a);
        sim.Enqueue(b);
        sim.Enqueue(c);
        return (a, b, c);
    }

    private static string StatesOf(PipelineSimulator sim, string change) =>
        string.Join(",", sim.Running.Values.Where(b => b.Change == change).Select(b => b.State).Distinct());

    [Fact]
    public void Three_changes_pass_and_merge_in_order_each_tested_on_the_changes_ahead()
    {
        var sim = GateSim();
        EnqueueThree(sim);

        Assert.Equal(9, sim.Running.Count);
        Assert.Equal("1", StatesOf(sim, "1"));
        Assert.Equal("1 2", StatesOf(sim, "2"));
        Assert.Equal("1 2 3", StatesOf(sim, "3"));
        Assert.Equal(3, sim.Reports.Count(r => r.Kind == ReportKind.Start));

        sim.RunAll();

        Assert.Equal(["1", "2", "3"], sim.Merged.Select(c => c.Key.Id));
        Assert.Equal(["1", "2", "3"], sim.Reports.Where(r => r.Kind == ReportKind.Success).Select(r => r.Changes[0].Key.Id));
        Assert.Empty(sim.Items);
        var queue = Assert.Single(sim.State.Queues);
        Assert.Equal(23, queue.Window);
        Assert.All(sim.History, h => Assert.Equal(BuildResults.Success, h.Result));
    }

    [Fact]
    public void Head_failing_resets_the_items_behind_onto_the_branch()
    {
        var sim = GateSim();
        EnqueueThree(sim);

        sim.Complete("test1", "1", BuildResults.Failure);

        Assert.Equal("2", StatesOf(sim, "2"));
        Assert.Equal("2 3", StatesOf(sim, "3"));
        Assert.Contains(sim.History, h => h is { Change: "2", Result: BuildResults.Canceled, State: "1 2" });
        Assert.Contains(sim.History, h => h is { Change: "3", Result: BuildResults.Canceled, State: "1 2 3" });
        Assert.Equal(["at least one job failed"], sim.Items.First().BuildSet.FailingReasons.ToArray());

        sim.RunAll();

        Assert.Equal(["2", "3"], sim.Merged.Select(c => c.Key.Id));
        var failure = Assert.Single(sim.Reports, r => r.Kind == ReportKind.Failure);
        Assert.Equal("1", failure.Changes[0].Key.Id);
        Assert.Contains("- test1 test1 : FAILURE", failure.Message, StringComparison.Ordinal);
        Assert.All(sim.History.Where(h => h.Result == BuildResults.Success && h.Change == "3"), h => Assert.Equal("2 3", h.State));
    }

    [Fact]
    public void Middle_failing_resets_only_the_items_behind_it()
    {
        var sim = GateSim();
        EnqueueThree(sim);

        sim.Complete("test1", "2", BuildResults.Failure);

        Assert.Equal("1", StatesOf(sim, "1"));
        Assert.Equal("1 3", StatesOf(sim, "3"));
        Assert.DoesNotContain(sim.History, h => h.Change == "1" && h.Result == BuildResults.Canceled);

        sim.RunAll();

        Assert.Equal(["1", "3"], sim.Merged.Select(c => c.Key.Id));
        Assert.Equal("2", Assert.Single(sim.Reports, r => r.Kind == ReportKind.Failure).Changes[0].Key.Id);
    }

    [Fact]
    public void Two_failing_changes_reset_the_change_behind_twice()
    {
        var sim = GateSim();
        EnqueueThree(sim);
        var d = NewChange("org/project", 4);
        sim.Enqueue(d);

        sim.Complete("test1", "2", BuildResults.Failure);
        Assert.Equal("1 3 4", StatesOf(sim, "4"));
        sim.Complete("test2", "3", BuildResults.Failure);
        Assert.Equal("1 4", StatesOf(sim, "4"));

        sim.RunAll();

        Assert.Equal(["1", "4"], sim.Merged.Select(c => c.Key.Id));
        // Both failing items sit at the head once 1 merged; whichever finishes first reports first.
        Assert.Equal(["2", "3"], sim.Reports.Where(r => r.Kind == ReportKind.Failure).Select(r => r.Changes[0].Key.Id).Order());
        Assert.Equal(["1 2 3 4", "1 3 4"], sim.History.Where(h => h.Change == "4" && h.Result == BuildResults.Canceled)
            .Select(h => h.State).Distinct());
    }

    [Fact]
    public void Window_limits_active_items_shrinks_on_failure_and_grows_on_merge()
    {
        var sim = GateSim(window: 2, floor: 1);
        EnqueueThree(sim);
        sim.Enqueue(NewChange("org/project", 4));

        Assert.Equal(["1", "2"], sim.Running.Values.Select(b => b.Change).Distinct().Order());
        Assert.Equal([true, true, false, false], sim.Items.Select(i => i.Active));

        sim.Complete("test1", "1", BuildResults.Failure);
        sim.Complete("merge", "1", BuildResults.Success);
        sim.Complete("test2", "1", BuildResults.Success);

        var queue = Assert.Single(sim.State.Queues);
        Assert.Equal(1, queue.Window);
        Assert.Equal(["2"], sim.Running.Values.Select(b => b.Change).Distinct());

        foreach (var build in sim.Running.Values.Where(b => b.Change == "2").ToList())
        {
            sim.Complete(build, BuildResults.Success);
        }
        Assert.Equal(2, Assert.Single(sim.State.Queues).Window);
        Assert.Equal(["3", "4"], sim.Running.Values.Select(b => b.Change).Distinct().Order());
        Assert.Equal("3 4", StatesOf(sim, "4"));
    }

    [Fact]
    public void Window_arithmetic_follows_the_reference()
    {
        var linear = new WindowSettings(20, 3, 25, WindowType.Linear, 2, WindowType.Linear, 5);
        Assert.Equal(22, WindowMath.Increase(20, linear));
        Assert.Equal(25, WindowMath.Increase(24, linear));
        Assert.Equal(15, WindowMath.Decrease(20, linear));
        Assert.Equal(3, WindowMath.Decrease(6, linear));
        var exponential = new WindowSettings(20, 3, null, WindowType.Exponential, 2, WindowType.Exponential, 2);
        Assert.Equal(40, WindowMath.Increase(20, exponential));
        Assert.Equal(3, WindowMath.Decrease(5, exponential));
        Assert.Equal(10, WindowMath.Decrease(21, exponential));
        Assert.Equal(0, WindowMath.Decrease(0, exponential));
        Assert.True(WindowMath.IsActionable(0, 500));
        Assert.False(WindowMath.IsActionable(2, 2));
    }

    [Fact]
    public void New_patchset_dequeues_the_item_and_resets_the_items_behind()
    {
        var sim = GateSim();
        var (_, b, _) = EnqueueThree(sim);

        sim.Send(new NewPatchsetEvent(b with { Patchset = "2" }));

        Assert.Equal("1 3", sim.QueueText);
        Assert.Equal("1 3", StatesOf(sim, "3"));
        Assert.Contains(sim.Actions.OfType<ItemDequeued>(), d => d.Changes[0].Key.Id == "2" && d.Result == BuildResults.Dequeued);
        Assert.DoesNotContain(sim.Reports, r => r.Kind == ReportKind.Failure);
        sim.RunAll();
        Assert.Equal(["1", "3"], sim.Merged.Select(c => c.Key.Id));
    }

    [Fact]
    public void Abandoned_change_leaves_and_a_change_needing_it_fails_with_the_reason()
    {
        var sim = GateSim();
        var a = NewChange("org/project", 1);
        var b = NewChange("org/project", 2);
        var c = NewChange("org/project", 3) with { DependsOn = [b.Key] };
        sim.Enqueue(a);
        sim.Enqueue(b);
        sim.Enqueue(c, b);

        sim.Send(new ChangeAbandonedEvent(b));

        Assert.Equal("1", sim.QueueText);
        var failure = Assert.Single(sim.Reports, r => r.Kind == ReportKind.Failure);
        Assert.Equal("3", failure.Changes[0].Key.Id);
        Assert.Contains("This change depends on a change that failed to merge.", failure.Message, StringComparison.Ordinal);
        Assert.Contains("is needed.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_change_needing_a_failing_change_is_not_rebased_and_fails_when_it_leaves()
    {
        var sim = GateSim();
        var a = NewChange("org/project", 1);
        var b = NewChange("org/project", 2) with { DependsOn = [a.Key] };
        sim.Enqueue(b, a);
        var running = sim.Running.Count;

        sim.Complete("test1", "1", BuildResults.Failure);

        var item = sim.Items.Last();
        Assert.Equal(["a needed change is failing", "at least one job failed"], item.BuildSet.FailingReasons.ToArray());
        Assert.DoesNotContain(sim.Actions.OfType<RequestMerge>(), m => m.Changes.Length == 1 && m.Changes[0].Key.Id == "2");
        Assert.DoesNotContain(sim.Running.Values, r => r.Change == "2");
        Assert.True(running > sim.Running.Count);
        sim.RunAll();
        var failures = sim.Reports.Where(r => r.Kind == ReportKind.Failure).ToList();
        Assert.Equal(["1", "2"], failures.Select(r => r.Changes[0].Key.Id));
        Assert.Contains("depends on a change that failed to merge", failures[1].Message, StringComparison.Ordinal);
        Assert.Empty(sim.Merged);
    }

    [Fact]
    public void Depends_on_enqueues_the_needed_change_ahead_live()
    {
        var sim = GateSim();
        var a = NewChange("org/project", 1);
        var b = NewChange("org/project1", 2) with { DependsOn = [a.Key] };

        sim.Enqueue(b, a);

        Assert.Equal("1 2", sim.QueueText);
        Assert.All(sim.Items, i => Assert.True(i.Live));
        Assert.Equal("1 2", StatesOf(sim, "2"));
    }

    [Fact]
    public void Depends_on_across_unshared_queues_is_refused_with_a_report()
    {
        var sim = new PipelineSimulator(Gate());
        var a = NewChange("org/other", 1);
        var b = NewChange("org/project", 2) with { DependsOn = [a.Key] };

        sim.Enqueue(b, a);

        Assert.Empty(sim.Items);
        var report = Assert.Single(sim.Reports);
        Assert.Contains("does not share a change queue", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_conflict_reports_and_rebases_the_items_behind()
    {
        var sim = GateSim();
        sim.MergeConflicts.Add("2");
        EnqueueThree(sim);

        Assert.Equal("1 3", StatesOf(sim, "3"));
        sim.RunAll();
        var conflict = Assert.Single(sim.Reports, r => r.Kind == ReportKind.MergeConflict);
        Assert.Equal("failure", conflict.Reporters);
        Assert.Equal(BuildResults.MergeConflict, conflict.Result);
        Assert.StartsWith("Merge failed.", conflict.Message, StringComparison.Ordinal);
        Assert.Equal(["1", "3"], sim.Merged.Select(c => c.Key.Id));
    }

    [Fact]
    public void Config_error_is_reported_on_the_change_that_caused_it()
    {
        var sim = GateSim();
        sim.ConfigErrors.Add("1");
        EnqueueThree(sim);

        var error = Assert.Single(sim.Reports, r => r.Kind == ReportKind.ConfigError);
        Assert.Equal("1", error.Changes[0].Key.Id);
        Assert.Equal(BuildResults.ConfigError, error.Result);
        Assert.Equal("Job foo not defined", error.Message);
        sim.RunAll();
        Assert.Equal(["2", "3"], sim.Merged.Select(c => c.Key.Id));
    }

    [Fact]
    public void Submit_failure_reports_merge_failure_and_resets_the_items_behind()
    {
        var sim = GateSim();
        sim.SubmitFailures.Add("1");
        EnqueueThree(sim);

        foreach (var build in sim.Running.Values.Where(b => b.Change == "1").ToList())
        {
            sim.Complete(build, BuildResults.Success);
        }
        Assert.Equal("2", StatesOf(sim, "2"));
        Assert.Equal("2 3", StatesOf(sim, "3"));
        sim.RunAll();

        Assert.Equal(["2", "3"], sim.Merged.Select(c => c.Key.Id));
        var failure = Assert.Single(sim.Reports, r => r.Result == BuildResults.MergeFailure);
        Assert.Equal("1", failure.Changes[0].Key.Id);
        Assert.All(sim.History.Where(h => h.Change == "2" && h.Result == BuildResults.Success), h => Assert.Equal("2", h.State));
    }

    [Fact]
    public void Hold_following_changes_keeps_the_items_behind_waiting()
    {
        var sim = GateSim();
        sim.Jobs = _ => new JobGraph([new FrozenJob { Name = "deploy", InheritancePath = [], HoldFollowingChanges = true }], []);
        EnqueueThree(sim);

        Assert.Equal(["1"], sim.Running.Values.Select(b => b.Change));
        sim.Complete("deploy", "1", BuildResults.Success);
        Assert.Contains(sim.Running.Values, b => b.Change == "2");
        sim.RunAll();
        Assert.Equal(["1", "2", "3"], sim.Merged.Select(c => c.Key.Id));
    }

    [Fact]
    public void Promote_moves_a_change_to_the_front_and_restarts_the_queue()
    {
        var sim = GateSim();
        EnqueueThree(sim);

        sim.Send(new PromoteEvent([new ChangeKey("gerrit", "org/project1", "3")]));

        Assert.Equal("3 1 2", sim.QueueText);
        Assert.Equal("3", StatesOf(sim, "3"));
        Assert.Equal("3 1 2", StatesOf(sim, "2"));
        sim.RunAll();
        Assert.Equal(["3", "1", "2"], sim.Merged.Select(c => c.Key.Id));
    }

    [Fact]
    public void Disabled_after_consecutive_failures_uses_the_disabled_reporters()
    {
        var sim = GateSim();
        sim.Context = sim.Context with
        {
            Settings = sim.Context.Settings with { DisableAfterConsecutiveFailures = 2, ReporterActions = ["success", "failure", "disabled"] },
        };
        EnqueueThree(sim);
        sim.RunAll(b => b.Job == "test1" ? BuildResults.Failure : BuildResults.Success);

        Assert.True(sim.State.Disabled);
        Assert.Equal(["failure", "failure", "disabled"], sim.Reports.Select(r => r.Reporters));
    }
}

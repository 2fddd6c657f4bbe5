using Gating.Model;
using Gating.Model.Events;
using static Gating.Scheduler.Tests.Pipelines.PipelineSimulator;

namespace Gating.Scheduler.Tests.Pipelines;

/// <summary>Operator dequeue and promote of several changes in the pure core (as tests/scenarios/dequeue.yaml and promote-two.yaml state them).</summary>
public sealed class OperatorActionTests
{
    private static (PipelineSimulator Sim, Change A, Change B, Change C) GateOfThree()
    {
        var sim = DependentPipelineTests.GateSim();
        var a = NewChange("org/project", 1);
        var b = NewChange("org/project", 2);
        var c = NewChange("org/project", 3);
        sim.Enqueue(a);
        sim.Enqueue(b);
        sim.Enqueue(c);
        return (sim, a, b, c);
    }

    [Fact]
    public void Dequeue_removes_the_change_and_restarts_the_one_behind()
    {
        var (sim, _, b, _) = GateOfThree();

        sim.Send(new DequeueEvent(b.Version));

        Assert.Equal("1 3", sim.QueueText);
        sim.RunAll();
        Assert.Equal(["1", "3"], sim.Merged.Select(c => c.Key.Id));
    }

    [Fact]
    public void Promote_of_two_changes_puts_them_first_in_the_order_given()
    {
        var (sim, _, b, c) = GateOfThree();

        sim.Send(new PromoteEvent([c.Key, b.Key]));

        Assert.Equal("3 2 1", sim.QueueText);
        sim.RunAll();
        Assert.Equal(["3", "2", "1"], sim.Merged.Select(x => x.Key.Id));
    }
}

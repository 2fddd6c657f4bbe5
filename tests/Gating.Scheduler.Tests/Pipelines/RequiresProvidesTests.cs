using Gating.Model;
using static Gating.Scheduler.Tests.Pipelines.PipelineSimulator;

namespace Gating.Scheduler.Tests.Pipelines;

/// <summary>
/// Reference §3.8, found missing by tests/scenarios/provides-requires*.yaml: a job that requires an artifact waits
/// for the job providing it in the item ahead that its change depends on, and fails if that job failed.
/// </summary>
public sealed class RequiresProvidesTests
{
    private static (PipelineSimulator Sim, Change A, Change B) ProviderAheadOfRequirer(bool bDependsOnA = true)
    {
        var sim = DependentPipelineTests.GateSim();
        var a = NewChange("org/project1", 1);
        var b = NewChange("org/project2", 2) with { DependsOn = bDependsOnA ? [a.Key] : [] };
        sim.Jobs = change => change.Key.Id == "1"
            ? new JobGraph([new FrozenJob { Name = "image-builder", InheritancePath = [], Provides = ["images"] }], [])
            : new JobGraph([new FrozenJob { Name = "image-user", InheritancePath = [], Requires = ["images"] }], []);
        sim.Enqueue(a);
        sim.Enqueue(b, a);
        return (sim, a, b);
    }

    [Fact]
    public void A_requiring_job_waits_for_the_provider_of_the_change_it_depends_on()
    {
        var (sim, _, _) = ProviderAheadOfRequirer();

        Assert.Equal(["image-builder"], sim.Running.Values.Select(b => b.Job));

        sim.Complete(sim.Build("image-builder", "1"), BuildResults.Success);

        Assert.Equal(["image-user"], sim.Running.Values.Select(b => b.Job));
        Assert.Equal("1 2", sim.Build("image-user", "2").State);
        sim.RunAll();
        Assert.Equal(["1", "2"], sim.Merged.Select(c => c.Key.Id));
    }

    [Fact]
    public void A_requiring_job_does_not_run_when_the_provider_failed()
    {
        var (sim, _, _) = ProviderAheadOfRequirer();

        sim.Complete(sim.Build("image-builder", "1"), BuildResults.Failure);
        sim.RunAll();

        Assert.DoesNotContain(sim.History, h => h.Job == "image-user" && h.Result == BuildResults.Success);
        Assert.Empty(sim.Merged);
    }

    [Fact]
    public void Without_a_dependency_the_requiring_job_does_not_wait()
    {
        var (sim, _, _) = ProviderAheadOfRequirer(bDependsOnA: false);

        Assert.Equal(["image-builder", "image-user"], sim.Running.Values.Select(b => b.Job).Order());
    }
}

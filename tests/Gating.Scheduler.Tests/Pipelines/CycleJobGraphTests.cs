using System.Collections.Immutable;
using Gating.Model;
using Gating.Scheduler.Pipelines;

namespace Gating.Scheduler.Tests.Pipelines;

/// <summary>The job graph of a cycle item: per-change graphs joined, identical jobs deduplicated (reference 3.7).</summary>
public sealed class CycleJobGraphTests
{
    private static readonly ChangeKey A = new("gerrit", "org/project1", "1");
    private static readonly ChangeKey B = new("gerrit", "org/project2", "2");
    private static readonly ChangeKey A2 = new("gerrit", "org/project1", "3");

    private static FrozenJob Job(string name, string deduplicate = "auto", ImmutableArray<RequiredProject> required = default) =>
        new() { Name = name, InheritancePath = [], Deduplicate = deduplicate, RequiredProjects = required.IsDefault ? [] : required };

    private static JobGraph MergeAndTest(FrozenJob? merge = null) => new(
        [merge ?? Job("merge"), Job("test")],
        [new JobGraphEdge("test", "merge", false)]);

    [Fact]
    public void Jobs_of_changes_of_different_projects_run_per_change_with_dependencies_per_change()
    {
        var graph = CycleJobGraph.Join([new(A, MergeAndTest()), new(B, MergeAndTest())]);

        Assert.Equal(["merge@org/project1~1", "test@org/project1~1", "merge@org/project2~2", "test@org/project2~2"],
            graph.Keyed().Select(j => j.Key));
        Assert.Equal(["merge", "test", "merge", "test"], graph.Jobs.Select(j => j.Name));
        Assert.Equal(new[] { A }, graph.ChangesOf("test@org/project1~1").ToArray());
        Assert.Equal(
            [new JobGraphEdge("test@org/project1~1", "merge@org/project1~1", false), new JobGraphEdge("test@org/project2~2", "merge@org/project2~2", false)],
            graph.Edges.ToArray());
        Assert.False(graph.RunsFor("merge@org/project1~1", B));
    }

    [Fact]
    public void Identical_jobs_of_one_project_are_deduplicated_under_auto()
    {
        var graph = CycleJobGraph.Join([new(A, MergeAndTest()), new(A2, MergeAndTest())]);

        Assert.Equal(["merge@org/project1~1", "test@org/project1~1"], graph.Keyed().Select(j => j.Key));
        Assert.Equal(new[] { A, A2 }, graph.ChangesOf("merge@org/project1~1").ToArray());
        Assert.True(graph.RunsFor("test@org/project1~1", A2));
        Assert.Single(graph.Edges);
    }

    [Fact]
    public void Auto_deduplicates_across_projects_only_with_required_projects()
    {
        var shared = Job("merge", required: [new RequiredProject("org/project2")]);

        var graph = CycleJobGraph.Join([new(A, MergeAndTest(shared)), new(B, MergeAndTest(shared))]);

        Assert.Equal(["merge@org/project1~1", "test@org/project1~1", "test@org/project2~2"], graph.Keyed().Select(j => j.Key));
        Assert.Equal(new[] { A, B }, graph.ChangesOf("merge@org/project1~1").ToArray());
        Assert.Contains(new JobGraphEdge("test@org/project2~2", "merge@org/project1~1", false), graph.Edges);
    }

    [Fact]
    public void Deduplicate_true_joins_across_projects_and_false_never_joins()
    {
        var always = CycleJobGraph.Join([new(A, MergeAndTest(Job("merge", "true"))), new(B, MergeAndTest(Job("merge", "true")))]);
        var never = CycleJobGraph.Join([new(A, MergeAndTest(Job("merge", "false"))), new(A2, MergeAndTest(Job("merge", "false")))]);

        Assert.Equal(3, always.Jobs.Length);
        Assert.Equal(3, never.Jobs.Length);
        Assert.Equal(new[] { A, A2 }, never.ChangesOf("test@org/project1~1").ToArray());
        Assert.Equal(new[] { A2 }, never.ChangesOf("merge@org/project1~3").ToArray());
    }

    [Fact]
    public void Jobs_that_froze_differently_are_not_deduplicated()
    {
        var graph = CycleJobGraph.Join([new(A, MergeAndTest()), new(A2, MergeAndTest(Job("merge") with { Timeout = 60 }))]);

        Assert.Equal(["merge@org/project1~1", "test@org/project1~1", "merge@org/project1~3"], graph.Keyed().Select(j => j.Key));
        // The deduplicated test waits for the merge job of each change it covers.
        Assert.Equal(["merge@org/project1~1", "merge@org/project1~3"], graph.DependenciesOf("test@org/project1~1").Select(e => e.DependsOn));
    }

    [Fact]
    public void A_graph_of_one_change_keys_jobs_by_name()
    {
        var graph = MergeAndTest();

        Assert.Equal(["merge", "test"], graph.Keyed().Select(j => j.Key));
        Assert.True(graph.RunsFor("merge", B));
        Assert.Same(graph.Jobs[1], graph.Find("test"));
    }
}

using System.Collections.Immutable;
using Gating.Testing.Cluster;
using Gating.Testing.Scenarios;

namespace Gating.Scheduler.Tests.Cluster;

/// <summary>Operator actions, dynamic configuration, timers and reconfiguration through the whole system.</summary>
public sealed class ClusterFeatureTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;

    private static Task<TestCluster> StartAsync(CancellationToken ct) => TestCluster.StartAsync(GateFixture.Setup(), null, ct);

    private static ImmutableDictionary<string, string?> Files(string path, string text) => ImmutableDictionary<string, string?>.Empty.Add(path, text);

    [Fact]
    public async Task Admin_dequeue_removes_the_head_and_the_change_behind_merges_alone()
    {
        var ct = Timeout;
        await using var cluster = await StartAsync(ct);
        var a = await cluster.CreateChangeAsync(new NewChange("org/project"), ct);
        var b = await cluster.CreateChangeAsync(new NewChange("org/project"), ct);
        cluster.HoldBuilds(new BuildSelector());
        await GateFixture.ApproveForGateAsync(cluster, a, ct);
        await GateFixture.ApproveForGateAsync(cluster, b, ct);
        await cluster.SettleAsync(ct);
        await cluster.DequeueAsync("gate", a, ct);
        await cluster.SettleAsync(ct);
        Assert.Equal([[b]], cluster.GetPipeline("gate").Queues.SelectMany(q => q.Items).Select(i => i.Changes.ToArray()));

        await cluster.ReleaseBuildsAsync(new BuildSelector(), ct);
        await cluster.SettleAsync(ct);
        Assert.Equal([b], cluster.MergedChanges);
        Assert.Contains($"project-test1 {b} SUCCESS [2,1]", GateFixture.Lines(cluster.History));
    }

    [Fact]
    public async Task Admin_promote_moves_a_change_to_the_head()
    {
        var ct = Timeout;
        await using var cluster = await StartAsync(ct);
        var a = await cluster.CreateChangeAsync(new NewChange("org/project"), ct);
        var b = await cluster.CreateChangeAsync(new NewChange("org/project"), ct);
        var c = await cluster.CreateChangeAsync(new NewChange("org/project1"), ct);
        cluster.HoldBuilds(new BuildSelector());
        foreach (var change in new[] { a, b, c })
        {
            await GateFixture.ApproveForGateAsync(cluster, change, ct);
        }
        await cluster.SettleAsync(ct);
        await cluster.PromoteAsync("gate", [c], ct);
        await cluster.SettleAsync(ct);
        Assert.Equal([[c], [a], [b]], cluster.GetPipeline("gate").Queues.SelectMany(q => q.Items).Select(i => i.Changes.ToArray()));

        await cluster.ReleaseBuildsAsync(new BuildSelector(), ct);
        await cluster.SettleAsync(ct);
        Assert.Equal([c, a, b], cluster.MergedChanges);
    }

    [Fact]
    public async Task Admin_enqueue_bypasses_the_pipeline_requirements()
    {
        var ct = Timeout;
        await using var cluster = await StartAsync(ct);
        var a = await cluster.CreateChangeAsync(new NewChange("org/project"), ct);
        await cluster.EnqueueAsync("gate", a, ct);
        await cluster.SettleAsync(ct);
        Assert.Equal([a], cluster.MergedChanges);
    }

    [Fact]
    public async Task A_change_that_adds_a_job_runs_it_speculatively()
    {
        var ct = Timeout;
        await using var cluster = await StartAsync(ct);
        var a = await cluster.CreateChangeAsync(new NewChange("org/project", Files: Files(".zuul.yaml", """
            - job:
                name: project-new
            - project:
                check:
                  jobs: [project-new]
            """)), ct);
        var b = await cluster.CreateChangeAsync(new NewChange("org/project"), ct);
        await cluster.SendPatchsetCreatedAsync(a, ct);
        await cluster.SendPatchsetCreatedAsync(b, ct);
        await cluster.SettleAsync(ct);

        var lines = GateFixture.Lines(cluster.History).ToList();
        Assert.Contains($"project-new {a} SUCCESS [1,1]", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith($"project-new {b}", StringComparison.Ordinal));
        Assert.Equal(1, cluster.GetVotes(a)["Verified"]);
    }

    [Fact]
    public async Task A_config_error_is_reported_on_the_change_that_caused_it()
    {
        var ct = Timeout;
        await using var cluster = await StartAsync(ct);
        var a = await cluster.CreateChangeAsync(new NewChange("org/project", Files: Files(".zuul.yaml", """
            - job:
                name: broken
                parent: does-not-exist
            - project:
                check:
                  jobs: [broken]
            """)), ct);
        await cluster.SendPatchsetCreatedAsync(a, ct);
        await cluster.SettleAsync(ct);

        Assert.Empty(cluster.History);
        Assert.Equal(-1, cluster.GetVotes(a)["Verified"]);
        Assert.Contains(cluster.GetReports(a), r => r.Message.Contains("does-not-exist", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_timer_runs_the_periodic_pipeline_for_each_project()
    {
        var ct = Timeout;
        await using var cluster = await StartAsync(ct);
        await cluster.AdvanceTimeAsync(TimeSpan.FromHours(1), ct);
        await cluster.SettleAsync(ct);
        Assert.Empty(cluster.History);

        await cluster.AdvanceTimeAsync(TimeSpan.FromDays(1), ct);
        await cluster.SettleAsync(ct);
        var build = Assert.Single(cluster.History);
        Assert.Equal(("project-post", "periodic", "refs/heads/master"), (build.Job, build.Pipeline, build.Ref));
    }

    [Fact]
    public async Task Reconfiguration_keeps_items_and_running_builds()
    {
        var ct = Timeout;
        await using var cluster = await StartAsync(ct);
        var a = await cluster.CreateChangeAsync(new NewChange("org/project"), ct);
        cluster.HoldBuilds(new BuildSelector());
        await GateFixture.ApproveForGateAsync(cluster, a, ct);
        await cluster.SettleAsync(ct);
        var running = cluster.RunningBuilds.Select(r => r.BuildId).ToList();

        await cluster.ReconfigureAsync([new RepoFiles("org/project", "master", Files("README", "changed\n"))], ct);
        await cluster.SettleAsync(ct);
        Assert.Equal(running, cluster.RunningBuilds.Select(r => r.BuildId));

        await cluster.ReleaseBuildsAsync(new BuildSelector(), ct);
        await cluster.SettleAsync(ct);
        Assert.Equal([a], cluster.MergedChanges);
    }

    [Fact]
    public async Task A_node_failure_fails_the_job_that_needed_the_nodes()
    {
        var ct = Timeout;
        await using var cluster = await StartAsync(ct);
        cluster.SetNodeFailure("ubuntu-jammy");
        var a = await cluster.CreateChangeAsync(new NewChange("org/project"), ct);
        await cluster.SendPatchsetCreatedAsync(a, ct);
        await cluster.SettleAsync(ct);
        Assert.Equal(-1, cluster.GetVotes(a)["Verified"]);
        Assert.DoesNotContain(cluster.History, h => h.Job == "project-test1");
        Assert.Contains(cluster.GetReports(a), r => r.Message.Contains("NODE_FAILURE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_merge_conflict_is_reported_and_the_change_leaves_the_gate()
    {
        var ct = Timeout;
        await using var cluster = await StartAsync(ct);
        var a = await cluster.CreateChangeAsync(new NewChange("org/project"), ct);
        var b = await cluster.CreateChangeAsync(new NewChange("org/project"), ct);
        cluster.SetMergeConflict(b);
        await GateFixture.ApproveForGateAsync(cluster, a, ct);
        await GateFixture.ApproveForGateAsync(cluster, b, ct);
        await cluster.SettleAsync(ct);
        Assert.Equal([a], cluster.MergedChanges);
        Assert.Equal(-2, cluster.GetVotes(b)["Verified"]);
        Assert.Contains(cluster.GetReports(b), r => r.Message.Contains("Merge failed.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retries_and_paused_parents_reach_the_executor()
    {
        var ct = Timeout;
        await using var cluster = await StartAsync(ct);
        cluster.SetBuildOutcome(new BuildOutcomeRule(new BuildSelector("project-test2"), RetryAttempts: 1));
        cluster.SetBuildOutcome(new BuildOutcomeRule(new BuildSelector("project-merge"), ReturnData: """{"artifact": "x"}""", Pause: true));
        var a = await cluster.CreateChangeAsync(new NewChange("org/project"), ct);
        await cluster.SendPatchsetCreatedAsync(a, ct);
        await cluster.SettleAsync(ct);
        var lines = GateFixture.Lines(cluster.History).ToList();
        Assert.Contains($"project-test2 {a} RETRY [1,1]", lines);
        Assert.Equal(2, lines.Count(l => l.StartsWith($"project-test2 {a}", StringComparison.Ordinal)));
        Assert.Equal($"project-merge {a} SUCCESS [1,1]", lines[^1]);
        Assert.Equal(1, cluster.GetVotes(a)["Verified"]);
    }
}

/// <summary>A semaphore shared by the check and gate pipelines.</summary>
public sealed class SemaphoreClusterTests
{
    [Fact]
    public async Task A_semaphore_held_in_check_makes_the_gate_wait()
    {
        var ct = new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;
        var config = GateFixture.Config
            .Replace("- job:\n    name: project-test2\n", "- semaphore:\n    name: test-sem\n    max: 1\n\n- job:\n    name: project-test2\n    semaphores: [test-sem]\n", StringComparison.Ordinal);
        Assert.Contains("test-sem", config, StringComparison.Ordinal);
        await using var cluster = await TestCluster.StartAsync(GateFixture.Setup(config), null, ct);
        Assert.Empty(cluster.ConfigErrors);
        var a = await cluster.CreateChangeAsync(new NewChange("org/project"), ct);
        var b = await cluster.CreateChangeAsync(new NewChange("org/project1"), ct);
        cluster.HoldBuilds(new BuildSelector("project-test2", a, "check"));
        await cluster.SendPatchsetCreatedAsync(a, ct);
        await cluster.SettleAsync(ct);
        await GateFixture.ApproveForGateAsync(cluster, b, ct);
        await cluster.SettleAsync(ct);

        Assert.Equal([("project-test2", "check")], cluster.RunningBuilds.Select(r => (r.Job, r.Pipeline)));
        Assert.DoesNotContain(cluster.History, h => h.Job == "project-test2" && h.Change == b);
        Assert.Empty(cluster.MergedChanges);

        await cluster.ReleaseBuildsAsync(new BuildSelector("project-test2", a, "check"), ct);
        await cluster.SettleAsync(ct);
        Assert.Contains(cluster.History, h => h.Job == "project-test2" && h.Change == b && h.Result == "SUCCESS");
        Assert.Equal([b], cluster.MergedChanges);
    }
}

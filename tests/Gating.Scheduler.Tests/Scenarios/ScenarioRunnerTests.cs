using System.Collections.Immutable;
using Gating.Testing.Scenarios;

namespace Gating.Scheduler.Tests.Scenarios;

public sealed class ScenarioRunnerTests
{
    private static async Task<(ScenarioResult Result, ScriptedCluster Cluster)> RunAsync(string yaml, Action<ScriptedCluster>? arrange = null)
    {
        var cluster = new ScriptedCluster();
        arrange?.Invoke(cluster);
        var scenario = ScenarioParser.Parse(yaml, "t.yaml");
        var result = await new ScenarioRunner(cluster).RunAsync(scenario, CancellationToken.None);
        return (result, cluster);
    }

    [Fact]
    public async Task Steps_become_cluster_calls_in_order_with_change_numbers()
    {
        var (result, cluster) = await RunAsync("""
            changes:
              - {name: A, depends-on: C}
              - {name: B, project: org/project1, topic: t}
              - {name: C, parent: A}
            steps:
              - upload: [C, A]
              - approve: B
              - outcome: {job: project-test1, change: B, result: FAILURE, times: 1}
              - hold: {change: A}
              - merge-conflict: C
              - create: {name: D, depends-on: A}
              - promote: {pipeline: gate, changes: [B, A]}
              - enqueue: {pipeline: post, ref: refs/heads/master}
              - reconfigure:
                  common-config:
                    zuul.d/x.yaml: "[]"
              - advance-time: 90s
              - expect: {merged: []}
            """);

        Assert.True(result.Passed, result.Describe());
        Assert.Equal(
        [
            "create 1 org/project master depends-on 3",
            "create 2 org/project1 master topic t",
            "create 3 org/project master parent 1",
            "upload 3", "upload 1",
            "approve 2 Code-Review 2", "approve 2 Approved 1",
            "outcome project-test1 2 FAILURE retries=0 pause=False times=1 data=",
            "hold  1 ",
            "merge-conflict 3 True",
            "create 4 org/project master depends-on 1",
            "promote gate 2,1",
            "enqueue-ref post org/project refs/heads/master",
            "reconfigure common-config@master:zuul.d/x.yaml",
            "advance 90",
            "settle",
            "dispose",
        ], cluster.Calls);
        Assert.Equal(1, result.ExpectationsChecked);
    }

    [Fact]
    public async Task A_failed_expectation_names_its_line_and_shows_the_actual_history_and_the_run_stops()
    {
        var (result, cluster) = await RunAsync("""
            changes: [{name: A}, {name: B}]
            steps:
              - approve: [A, B]
              - expect:
                  merged: [A, B]
                  history:
                    - project-merge A SUCCESS
                    - project-merge B SUCCESS with A B
              - abandon: A
              - expect: {merged: []}
            """, c => c.OnSettle = x =>
            {
                x.HistoryList.Add(ScriptedCluster.Build("project-merge", 1, "SUCCESS", 1));
                x.HistoryList.Add(ScriptedCluster.Build("project-merge", 2, "FAILURE", 1, 2));
                x.Merged.Add(1);
            });

        Assert.False(result.Passed);
        Assert.Equal(2, result.Failures.Length);
        Assert.Equal((5, "merged"), (result.Failures[0].At.Line, result.Failures[0].What));
        Assert.Contains("expected merged [A, B], actual [A]", result.Failures[0].Message, StringComparison.Ordinal);
        Assert.Equal(6, result.Failures[1].At.Line);
        Assert.Contains("project-merge B,1 FAILURE with [A,1 B,1]", result.Failures[1].Message, StringComparison.Ordinal);
        Assert.DoesNotContain("abandon 1", cluster.Calls);
        string text = result.Describe();
        Assert.Contains("t.yaml:5: merged:", text, StringComparison.Ordinal);
        Assert.Contains("actual state:", text, StringComparison.Ordinal);
        Assert.Contains("merged:\n      [A]", text.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unordered_history_matches_each_pattern_to_a_distinct_build()
    {
        const string yaml = """
            changes: [{name: A}]
            steps:
              - expect:
                  history-unordered: [project-merge, project-merge A SUCCESS]
            """;
        var (ok, _) = await RunAsync(yaml, c =>
        {
            c.HistoryList.Add(ScriptedCluster.Build("project-merge", 1, "SUCCESS", 1));
            c.HistoryList.Add(ScriptedCluster.Build("project-merge", 1, "FAILURE", 1));
        });
        var (bad, _) = await RunAsync(yaml, c =>
        {
            c.HistoryList.Add(ScriptedCluster.Build("project-merge", 1, "FAILURE", 1));
            c.HistoryList.Add(ScriptedCluster.Build("project-merge", 1, "FAILURE", 1));
        });

        Assert.True(ok.Passed, ok.Describe());
        Assert.False(bad.Passed);
    }

    [Fact]
    public async Task Queue_votes_and_reports_expectations_check_the_state()
    {
        const string yaml = """
            changes: [{name: A}, {name: B}, {name: C}]
            steps:
              - expect:
                  queue: {pipeline: gate, items: [A, {change: B+C, failing: true}], window: 3}
                  votes: {A: {Verified: 2, Code-Review: ~}, C: none}
                  reports:
                    A: {pipeline: gate, count: 1, contains: [project-test1 , SUCCESS], lacks: FAILURE, last: succeeded}
                    B: Build failed
                  history-count: {count: 0, job: x}
            """;
        void Arrange(ScriptedCluster c, bool failing)
        {
            c.Pipelines["gate"] = new PipelineSnapshot("gate",
            [
                new QueueSnapshot("integrated", 3,
                [
                    new ItemSnapshot([1], null, true, true, false),
                    new ItemSnapshot([3, 2], null, true, true, failing),
                ]),
            ]);
            c.Votes[1] = ImmutableDictionary<string, int>.Empty.Add("Verified", 2);
            c.Reports[1] = [new ReportRecord("gate", "Build succeeded.\n\n- project-test1 : SUCCESS", c.Votes[1])];
            c.Reports[2] = [new ReportRecord("gate", "Build failed.", ImmutableDictionary<string, int>.Empty)];
        }

        var (ok, _) = await RunAsync(yaml, c => Arrange(c, failing: true));
        var (bad, _) = await RunAsync(yaml, c => Arrange(c, failing: false));

        Assert.True(ok.Passed, ok.Describe());
        Assert.Equal(6, ok.ExpectationsChecked);
        var failure = Assert.Single(bad.Failures);
        Assert.Equal("queue", failure.What);
        Assert.Contains("queue integrated window=3: [A, C+B]", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_step_that_throws_is_a_failure_at_its_line()
    {
        var cluster = new ThrowingCluster();
        var scenario = ScenarioParser.Parse("changes: [{name: A}]\nsteps:\n  - settle\n  - abandon: A\n", "x.yaml");

        var result = await new ScenarioRunner(cluster).RunAsync(scenario, CancellationToken.None);

        var failure = Assert.Single(result.Failures);
        Assert.Equal((4, "abandon"), (failure.At.Line, failure.What));
        Assert.Contains("NotSupportedException: no abandon here", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cluster_that_numbers_changes_differently_is_refused()
    {
        var (result, _) = await RunAsync("changes: [{name: A}]\nsteps: [settle]\n", c => c.NumberOffset = 10);

        var failure = Assert.Single(result.Failures);
        Assert.Contains("numbered change 'A' 11, not 1", failure.Message, StringComparison.Ordinal);
        Assert.Equal((1, "change A"), (failure.At.Line, failure.What));
    }

    private sealed class ThrowingCluster : IScenarioClusterFactory
    {
        public Task<IScenarioCluster> StartAsync(ClusterSetup setup, CancellationToken cancellationToken) =>
            Task.FromResult<IScenarioCluster>(new Abandoning());

        private sealed class Abandoning : IScenarioCluster
        {
            private readonly ScriptedCluster _inner = new();

            public IReadOnlyList<BuildRecord> History => _inner.History;
            public IReadOnlyList<BuildRecord> RunningBuilds => _inner.RunningBuilds;
            public IReadOnlyList<int> MergedChanges => _inner.MergedChanges;
            public Task AbandonAsync(int change, CancellationToken cancellationToken) => throw new NotSupportedException("no abandon here");
            public Task<int> CreateChangeAsync(NewChange change, CancellationToken cancellationToken) => _inner.CreateChangeAsync(change, cancellationToken);
            public Task NewPatchsetAsync(int change, ImmutableDictionary<string, string?>? files, CancellationToken cancellationToken) => Task.CompletedTask;
            public Task SendPatchsetCreatedAsync(int change, CancellationToken cancellationToken) => Task.CompletedTask;
            public Task ApproveAsync(int change, string label, int value, string? by, CancellationToken cancellationToken) => Task.CompletedTask;
            public Task CommentAsync(int change, string text, string? by, CancellationToken cancellationToken) => Task.CompletedTask;
            public Task RestoreAsync(int change, CancellationToken cancellationToken) => Task.CompletedTask;
            public Task MergeExternallyAsync(int change, CancellationToken cancellationToken) => Task.CompletedTask;
            public Task RefUpdateAsync(string project, string gitRef, ImmutableDictionary<string, string?>? files, CancellationToken cancellationToken) => Task.CompletedTask;
            public Task AdvanceTimeAsync(TimeSpan by, CancellationToken cancellationToken) => Task.CompletedTask;
            public Task EnqueueAsync(string pipeline, int change, CancellationToken cancellationToken) => Task.CompletedTask;
            public Task EnqueueRefAsync(string pipeline, string project, string gitRef, CancellationToken cancellationToken) => Task.CompletedTask;
            public Task DequeueAsync(string pipeline, int change, CancellationToken cancellationToken) => Task.CompletedTask;
            public Task PromoteAsync(string pipeline, ImmutableArray<int> changes, CancellationToken cancellationToken) => Task.CompletedTask;
            public Task ReconfigureAsync(ImmutableArray<RepoFiles> changes, CancellationToken cancellationToken) => Task.CompletedTask;
            public void SetBuildOutcome(BuildOutcomeRule rule) { }
            public void HoldBuilds(BuildSelector selector) { }
            public Task ReleaseBuildsAsync(BuildSelector selector, CancellationToken cancellationToken) => Task.CompletedTask;
            public void SetMergeConflict(int change, bool conflict = true) { }
            public void SetNodeFailure(string label, bool fail = true) { }
            public Task SettleAsync(CancellationToken cancellationToken) => Task.CompletedTask;
            public PipelineSnapshot GetPipeline(string pipeline) => _inner.GetPipeline(pipeline);
            public ImmutableDictionary<string, int> GetVotes(int change) => _inner.GetVotes(change);
            public IReadOnlyList<ReportRecord> GetReports(int change) => _inner.GetReports(change);
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}

using System.Text.Json;
using Gating.Executor.Build;
using Gating.Model;

namespace Gating.Executor.Tests.Build;

/// <summary>Real builds: git workspace, ansible-playbook in bubblewrap over SSH to the test node.</summary>
public sealed class BuildIntegrationTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_parent_and_child_job_run_in_order_with_roles_vars_secrets_and_zuul_return()
    {
        await using var fx = new BuildFixture(keepBuildDirectories: true);
        await JobRepos.CreateAsync(fx.Server);
        var change = await fx.Server.CreateChangeAsync("org/project", "main", 1234, 2, new Dictionary<string, string?> { ["change.txt"] = "new\n" });
        var project = BuildFixture.Project("org/project");
        var secret = new BuildSecret("site_secret", BuildFixture.Json(new { password = JobRepos.SecretPassword }));
        var parameters = BuildFixture.Parameters("child-job") with
        {
            Change = "1234", Patchset = "2", Ref = change.Ref, ChildJobs = ["child-a", "child-b"],
            Items = [new BuildItem(project, new MergeItem(BuildFixture.Connection, "org/project", "main", change.Ref, change.Commit, MergeMode.MergeResolve, "1234", "2"))],
            RequiredProjects = [BuildFixture.Project("org/roles")],
            ParentData = BuildFixture.Json(new { from_parent = "hello" }),
            PreRun = [BuildFixture.Playbook("config", "playbooks/base/pre.yaml", true, 0, secrets: [secret]), BuildFixture.Playbook("org/project", "playbooks/pre.yaml", false, 1)],
            Run = [BuildFixture.Playbook("org/project", "playbooks/run.yaml", false, 1,
                roles: [new BuildRole(BuildFixture.Project("org/roles"), "roles"), new BuildRole(BuildFixture.Project("org/ansible-role-bare"), "bare")])],
            PostRun = [BuildFixture.Playbook("org/project", "playbooks/post.yaml", false, 1), BuildFixture.Playbook("config", "playbooks/base/post.yaml", true, 0)],
        };
        var sink = new RecordingSink { AutoResume = false };

        var running = fx.Runner.RunAsync(parameters, [fx.Node()], sink, CancellationToken.None);
        var paused = await WaitForAsync(() => sink.Events.OfType<ExecutorBuildPaused>().FirstOrDefault(), running);
        var logWhilePaused = File.ReadAllText(Path.Combine(fx.Options.JobRoot, parameters.BuildId, "work", "logs", "job-output.txt"));
        sink.Resume.SetResult();
        var result = await running.WaitAsync(Patience);
        var log = BuildFixture.Log(result);

        Assert.True(result.Outcome == BuildOutcome.Success, $"{result.Outcome} {result.ErrorDetail}\n{log}");
        // Phases in order, parents outside children (pre: parent first; post: child first).
        var starts = log.Split('\n').Where(l => l.Contains(" START [", StringComparison.Ordinal)).Select(l => l[(l.IndexOf("| ", StringComparison.Ordinal) + 2)..]).ToList();
        Assert.Equal(
        [
            "PRE-RUN START [review.example.org/config/playbooks/base/pre.yaml@main]",
            "PRE-RUN START [review.example.org/org/project/playbooks/pre.yaml@main]",
            "RUN START [review.example.org/org/project/playbooks/run.yaml@main]",
            "POST-RUN START [review.example.org/org/project/playbooks/post.yaml@main]",
            "POST-RUN START [review.example.org/config/playbooks/base/post.yaml@main]",
        ], starts);
        Assert.Contains("node1 | base-pre\n", Normalize(log));
        Assert.Contains("node1 | child-pre\nnode1 | greet-role\nnode1 | bare-role\nnode1 | child-run\nnode1 | child-post success=True\nnode1 | base-post\n", Normalize(log));
        Assert.Contains("localhost | change.txt\n", Normalize(log)); // origin/main..main is the change under test
        Assert.DoesNotContain("POST-RUN START", logWhilePaused);
        Assert.Equal([typeof(ExecutorBuildStarted), typeof(ExecutorBuildStatus), typeof(ExecutorBuildPaused)], sink.Events.Select(e => e.GetType()));
        Assert.Equal(42, paused.Data!.Value.GetProperty("answer").GetInt32());

        // zuul_return reached the result.
        Assert.Equal(42, result.Data!.Value.GetProperty("answer").GetInt32());
        Assert.Equal("returned-secret", result.SecretData!.Value.GetProperty("token").GetString());
        Assert.Equal($"http://logs.example.org/{parameters.BuildId}/", result.LogUrl);
        Assert.Equal($"http://logs.example.org/{parameters.BuildId}/docs/index.html", Assert.Single(result.Artifacts).Url);
        Assert.Equal(["child-a"], result.ChildJobs!.Value.ToArray());
        Assert.Equal(["careful"], result.Warnings.ToArray());

        // The zuul vars as the playbook saw them (the test node is this machine, so its /tmp is readable here).
        using var zuul = JsonDocument.Parse(File.ReadAllText($"/tmp/{parameters.BuildId}-zuul.json"));
        var z = zuul.RootElement;
        Assert.Equal(parameters.BuildId, z.GetProperty("build").GetString());
        Assert.Equal("child-job", z.GetProperty("job").GetString());
        Assert.Equal("check", z.GetProperty("pipeline").GetString());
        Assert.Equal("tenant-one", z.GetProperty("tenant").GetString());
        Assert.Equal("main", z.GetProperty("branch").GetString());
        Assert.Equal("1234", z.GetProperty("change").GetString());
        Assert.Equal("2", z.GetProperty("patchset").GetString());
        Assert.Equal(1, z.GetProperty("attempts").GetInt32());
        Assert.Equal(120, z.GetProperty("timeout").GetInt32());
        Assert.Equal(["child-a", "child-b"], z.GetProperty("child_jobs").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("org/project", z.GetProperty("project").GetProperty("name").GetString());
        Assert.Equal("src/review.example.org/org/project", z.GetProperty("project").GetProperty("src_dir").GetString());
        Assert.Equal(change.Ref, z.GetProperty("items")[0].GetProperty("ref").GetString());
        var projects = z.GetProperty("projects");
        Assert.True(projects.GetProperty("review.example.org/org/roles").GetProperty("required").GetBoolean());
        Assert.Equal("main", projects.GetProperty("review.example.org/org/project").GetProperty("checkout").GetString());
        Assert.Equal("executor.test", z.GetProperty("executor").GetProperty("hostname").GetString());

        // The workspace: the change merged on top of the frozen tip, origin/main at the tip before it.
        var src = Path.Combine(fx.Options.JobRoot, parameters.BuildId, "work", "src", "review.example.org", "org", "project");
        Assert.Equal("new\n", File.ReadAllText(Path.Combine(src, "change.txt")));
        Assert.Equal(await fx.Server.ResolveAsync("org/project", "refs/heads/main"), (await new Gating.Executor.Git.GitRunner(new(), TimeProvider.System).RunAsync(src, ["rev-parse", "origin/main"], CancellationToken.None)).Text);

        // The secret never reaches the inventory or the logs.
        foreach (var file in Directory.EnumerateFiles(result.LogDirectory!, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(JobRepos.SecretPassword, File.ReadAllText(file));
        }
        Assert.DoesNotContain(JobRepos.SecretPassword, File.ReadAllText(Path.Combine(fx.Options.JobRoot, parameters.BuildId, "ansible", "inventory.json")));
    }

    [Fact]
    public async Task A_run_playbook_past_the_timeout_is_TIMED_OUT_and_post_run_still_runs()
    {
        await using var fx = new BuildFixture();
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            ["run.yaml"] = "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep 120\n",
            ["post.yaml"] = "- hosts: all\n  gather_facts: false\n  tasks:\n    - shell: echo post success={{ zuul_success }}\n",
        });
        var parameters = BuildFixture.Parameters("timeout") with
        {
            Timeout = TimeSpan.FromSeconds(8),
            Run = [BuildFixture.Playbook("org/project", "run.yaml", false)],
            PostRun = [BuildFixture.Playbook("org/project", "post.yaml", false)],
        };

        var result = await fx.RunAsync(parameters).WaitAsync(Patience);

        var log = BuildFixture.Log(result);
        Assert.True(result.Outcome == BuildOutcome.TimedOut, $"{result.Outcome}\n{log}");
        Assert.Contains("RESULT_TIMED_OUT", log);
        Assert.Contains("node1 | post success=False", log);
        Assert.True(result.EndTime - result.StartTime < TimeSpan.FromSeconds(100));
    }

    [Fact]
    public async Task A_pre_run_failure_is_retried_and_a_post_run_failure_is_POST_FAILURE()
    {
        await using var fx = new BuildFixture();
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            ["fail.yaml"] = "- hosts: all\n  gather_facts: false\n  tasks:\n    - fail: {msg: broken on purpose}\n",
            ["ok.yaml"] = "- hosts: all\n  gather_facts: false\n  tasks:\n    - shell: echo will retry={{ zuul_will_retry }}\n",
        });

        var retried = await fx.RunAsync(BuildFixture.Parameters("pre-fails") with
        {
            PreRun = [BuildFixture.Playbook("org/project", "fail.yaml", false, 1)],
            Run = [BuildFixture.Playbook("org/project", "ok.yaml", false, 1)],
            PostRun = [BuildFixture.Playbook("org/project", "ok.yaml", false, 0), BuildFixture.Playbook("org/project", "ok.yaml", false, 2)],
        }).WaitAsync(Patience);
        var postFailed = await fx.RunAsync(BuildFixture.Parameters("post-fails") with
        {
            Run = [BuildFixture.Playbook("org/project", "ok.yaml", false)],
            PostRun = [BuildFixture.Playbook("org/project", "fail.yaml", false)],
        }).WaitAsync(Patience);

        var log = BuildFixture.Log(retried);
        Assert.True(retried.Outcome == BuildOutcome.Retry, $"{retried.Outcome}\n{log}");
        Assert.Null(retried.ResultName);
        Assert.Contains("broken on purpose", Assert.Single(retried.FailedTasks).Message);
        Assert.DoesNotContain("RUN START [review.example.org/org/project/ok.yaml", log.Replace("POST-RUN START", "", StringComparison.Ordinal));
        Assert.Single(log.Split('\n'), l => l.Contains("node1 | will retry=True", StringComparison.Ordinal)); // the level-2 post-run is skipped
        Assert.True(postFailed.Outcome == BuildOutcome.PostFailure, $"{postFailed.Outcome}\n{BuildFixture.Log(postFailed)}");
        Assert.Equal("POST_FAILURE", postFailed.ResultName);
    }

    [Fact]
    public async Task An_unreachable_node_means_retry()
    {
        await using var fx = new BuildFixture();
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            ["run.yaml"] = "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: /bin/true\n",
        });
        var unreachable = fx.Node() with { Port = 23399 }; // nothing listens there (the top of the executor's port range)

        var result = await fx.Runner.RunAsync(BuildFixture.Parameters("unreachable") with { Run = [BuildFixture.Playbook("org/project", "run.yaml", false)] },
            [unreachable], new RecordingSink(), CancellationToken.None).WaitAsync(Patience);

        Assert.True(result.Outcome == BuildOutcome.Retry, $"{result.Outcome}\n{BuildFixture.Log(result)}");
        Assert.True(result.Unreachable);
    }

    [Fact]
    public async Task Live_output_arrives_before_the_task_ends_and_cancel_aborts_after_cleanup()
    {
        await using var fx = new BuildFixture();
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            ["run.yaml"] = "- hosts: all\n  gather_facts: false\n  tasks:\n" +
                "    - shell: echo first-line; for i in $(seq 600); do sleep 0.2; done; echo never-printed\n",
            ["cleanup.yaml"] = "- hosts: all\n  gather_facts: false\n  tasks:\n    - shell: echo cleaning-up\n",
        });
        var parameters = BuildFixture.Parameters("live") with
        {
            Run = [BuildFixture.Playbook("org/project", "run.yaml", false)],
            Cleanup = [BuildFixture.Playbook("org/project", "cleanup.yaml", false)],
        };
        using var cancel = new CancellationTokenSource();
        var running = fx.Runner.RunAsync(parameters, [fx.Node()], new RecordingSink(), cancel.Token);
        await WaitForAsync(() => fx.Runner.Logs.Knows(parameters.BuildId) ? true : (bool?)null, running);

        string? seen = null;
        using var follow = new CancellationTokenSource(Patience);
        await foreach (var line in fx.Runner.Logs.FollowAsync(parameters.BuildId, follow.Token))
        {
            if (line.EndsWith("| node1 | first-line", StringComparison.Ordinal))
            {
                seen = line;
                break;
            }
        }
        Assert.False(running.IsCompleted);
        await cancel.CancelAsync();
        var result = await running.WaitAsync(Patience);

        var log = BuildFixture.Log(result);
        Assert.NotNull(seen);
        Assert.Equal(BuildOutcome.Aborted, result.Outcome);
        Assert.Equal("ABORTED", result.ResultName);
        Assert.DoesNotContain("never-printed", log);
        Assert.Contains("node1 | cleaning-up", log);
    }

    internal static async Task<T> WaitForAsync<T>(Func<T?> probe, Task running)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }
            if (running.IsCompleted)
            {
                await running; // surfaces the failure
                throw new InvalidOperationException("the build ended before the awaited condition held");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
        }
    }

    private static string Normalize(string log) =>
        string.Join('\n', log.Split('\n').Select(l => l.Length > 29 && l[26..29] == " | " ? l[29..] : l));
}

using System.Diagnostics;
using System.Text;
using Gating.Coordination;
using Gating.Model.Events;

namespace Gating.Executor.Tests.Server;

/// <summary>`gating executor` as a child process, SIGKILLed in the middle of a build.</summary>
public sealed class ExecutorCrashIntegrationTests
{
    [Fact]
    public async Task A_build_whose_executor_process_is_killed_is_retried_by_another_executor()
    {
        await using var fx = await ServerFixture.CreateAsync();
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            // The first attempt hangs until it is killed; the retry (zuul.attempts 2) finishes at once.
            ["playbooks/run.yaml"] = "- hosts: all\n  gather_facts: false\n  tasks:\n" +
                "    - shell: echo {{ zuul.attempts }} >> /tmp/{{ zuul.build }}-attempts; [ {{ zuul.attempts }} -gt 1 ] || sleep 60\n",
        });
        var nodeId = await fx.AddNodeAsync();
        var parameters = ServerFixture.Parameters("crash", nodeId, ServerFixture.Playbook("playbooks/run.yaml"));
        var attempts = $"/tmp/{parameters.BuildId}-attempts";
        await fx.SubmitAsync(parameters);

        var output = new StringBuilder();
        using var child = StartExecutorProcess(fx, "exec-doomed", output);
        try
        {
            await ServerFixture.WaitUntilAsync(() => Task.FromResult(File.Exists(attempts)), TimeSpan.FromSeconds(90), () => output.ToString());
            var running = await fx.Builds.GetAsync(parameters.BuildId, CancellationToken.None);
            Assert.Equal(JobRequestState.Running, running!.State);
            Assert.Equal("exec-doomed", running.WorkerInfo?.Hostname);

            child.Kill(entireProcessTree: false); // SIGKILL: no cleanup, no completion; the session just stops
            await child.WaitForExitAsync();
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        }

        await fx.StartExecutorAsync("exec-survivor");
        var completed = await fx.WaitForEventAsync<BuildCompletedEvent>(e => e.BuildId == parameters.BuildId, TimeSpan.FromSeconds(120));

        Assert.Equal("SUCCESS", completed.Result);
        Assert.Equal("1\n2\n", await File.ReadAllTextAsync(attempts));
        Assert.Equal(2, (await fx.EventsAsync()).OfType<BuildStartedEvent>().Count(e => e.BuildId == parameters.BuildId));
        var request = await fx.Builds.GetAsync(parameters.BuildId, CancellationToken.None);
        Assert.Equal(JobRequestState.Completed, request!.State);
        Assert.Equal("exec-survivor", request.WorkerInfo?.Hostname);
    }

    [Fact]
    public async Task Sigterm_aborts_the_running_build_and_completes_it_before_the_process_exits()
    {
        await using var fx = await ServerFixture.CreateAsync();
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            ["playbooks/run.yaml"] = "- hosts: all\n  gather_facts: false\n  tasks:\n    - shell: touch /tmp/{{ zuul.build }}-running; sleep 60\n",
        });
        var nodeId = await fx.AddNodeAsync();
        var parameters = ServerFixture.Parameters("stopped", nodeId, ServerFixture.Playbook("playbooks/run.yaml"));
        await fx.SubmitAsync(parameters);
        var output = new StringBuilder();
        using var child = StartExecutorProcess(fx, "exec-stopped", output);
        try
        {
            await ServerFixture.WaitUntilAsync(() => Task.FromResult(File.Exists($"/tmp/{parameters.BuildId}-running")), TimeSpan.FromSeconds(90), () => output.ToString());

            using (var kill = Process.Start("kill", ["-TERM", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await child.WaitForExitAsync(exited.Token);
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        }

        // Completed by the stopping executor itself, not left for orphan recovery: nobody else is running.
        var completed = (await fx.EventsAsync()).OfType<BuildCompletedEvent>().SingleOrDefault(e => e.BuildId == parameters.BuildId);
        Assert.True(completed is not null, "no build-completed event after SIGTERM:\n" + output);
        Assert.Equal("ABORTED", completed.Result);
        Assert.Equal(JobRequestState.Completed, (await fx.Builds.GetAsync(parameters.BuildId, CancellationToken.None))!.State);
    }

    private static Process StartExecutorProcess(ServerFixture fx, string hostname, StringBuilder output)
    {
        var state = Path.Combine(fx.Root, hostname);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            CliDll(), "executor", "--zookeeper", fx.ConnectString, "--job-root", Path.Combine(state, "builds"), "--state-root", Path.Combine(state, "state"),
            "--git", $"{ServerFixture.Connection}={fx.Server.FileBaseUrl}", "--private-key", fx.KeyFile, "--default-username", "root",
            "--hostname", hostname, "--session-timeout", "4", "--poll-interval", "1", "--no-merge-jobs", "--load-multiplier", "0", "--min-avail-mem", "0",
        })
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The gating CLI built beside this test project (same configuration).</summary>
    private static string CliDll()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = dir.Parent!.Name; // bin/<configuration>/net10.0
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gating.sln")))
        {
            dir = dir.Parent;
        }
        var dll = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Gating.sln not found above the test binaries"),
            "cli", "bin", configuration, "net10.0", "gating.dll");
        Assert.True(File.Exists(dll), $"the gating CLI is not built at {dll}");
        return dll;
    }
}

using System.Collections.Immutable;
using Gating.Executor.Git;
using Gating.Executor.Logs;
using Gating.Model;

namespace Gating.Executor.Build;

/// <summary>
/// Runs one build from its parameters and nodes to its result (zuul.md 4.2-4.5): workspace, playbooks, inventory,
/// then pre-run, run, post-run and cleanup playbooks in ansible-playbook inside bubblewrap; events go to an
/// <see cref="IBuildEventSink"/>. It knows nothing about queues: a thin adapter takes requests from ZooKeeper,
/// calls <see cref="RunAsync"/>, and writes the result event.
/// </summary>
public sealed partial class BuildRunner
{
    private readonly ExecutorOptions _options;
    private readonly RepositoryCache _cache;
    private readonly TimeProvider _time;
    private readonly AnsibleRunner _ansible;
    private readonly string _pluginDir;

    /// <summary>Creates a runner.</summary>
    public BuildRunner(ExecutorOptions options, RepositoryCache cache, TimeProvider time, BuildLogs? logs = null)
    {
        _options = options;
        _cache = cache;
        _time = time;
        _pluginDir = AnsibleContent.Extract(options.StateRoot);
        _ansible = new AnsibleRunner(options, time, _pluginDir);
        Logs = logs ?? new BuildLogs(time);
    }

    /// <summary>Where build directories are made.</summary>
    public string JobRoot => _options.JobRoot;

    /// <summary>The logs of the builds this runner ran, followable while they run.</summary>
    public BuildLogs Logs { get; }

    /// <summary>
    /// Runs the build. Cancelling <paramref name="cancellationToken"/> aborts it (ABORTED) after its cleanup playbooks.
    /// </summary>
    public async Task<BuildResult> RunAsync(
        BuildParameters parameters, IReadOnlyList<BuildNode> nodes, IBuildEventSink events, CancellationToken cancellationToken)
    {
        var start = _time.GetUtcNow();
        var times = new PhaseTimes(_time);
        var dir = new BuildDirectory(_options.JobRoot, parameters.BuildId);
        var logFile = Path.Combine(dir.Logs, "job-output.txt");
        Logs.Started(parameters.BuildId, logFile);
        var result = new BuildResult { Outcome = BuildOutcome.Error, StartTime = start };
        ImmutableArray<PreparedPlaybook> playbooks = [];
        InventoryWriter.VarsFiles? vars = null;
        SshAgent? agent = null;
        Task<SshAgent>? agentStart = null;
        try
        {
            await events.StartedAsync(new ExecutorBuildStarted(parameters.BuildId, start, _options.Hostname), cancellationToken).ConfigureAwait(false);
            times.Lap("started");
            // The agent starts while git works: neither needs the other.
            agentStart = _options.PrivateKeyFile is { } keyFile ? SshAgent.StartAsync(keyFile, _time, cancellationToken) : null;
            var workspace = await new WorkspaceBuilder(_cache).PrepareAsync(parameters, dir.Src, cancellationToken).ConfigureAwait(false);
            times.Lap("workspace");
            playbooks = await new PlaybookPreparer(_cache, dir, workspace, parameters, _pluginDir).PrepareAllAsync(cancellationToken).ConfigureAwait(false);
            times.Lap("playbooks");
            var includeVars = await IncludeVarsReader.ReadAsync(parameters, workspace, _cache.Git, cancellationToken).ConfigureAwait(false);
            vars = await InventoryWriter.WriteAsync(dir, parameters, nodes, workspace, playbooks, _options, includeVars, cancellationToken).ConfigureAwait(false);
            times.Lap("inventory");
            if (agentStart is not null)
            {
                agent = await agentStart.ConfigureAwait(false);
                vars = vars with { AgentSocket = agent.SocketPath };
            }
            times.Lap("ssh-agent");
            Directory.CreateDirectory(Path.Combine(dir.Logs, "zuul-info"));
            File.Copy(dir.Inventory, Path.Combine(dir.Logs, "zuul-info", "inventory.json"));
            await events.StatusAsync(new ExecutorBuildStatus(parameters.BuildId, dir.Logs), cancellationToken).ConfigureAwait(false);
            times.Lap("status");
            result = await RunPhasesAsync(parameters, dir, playbooks, vars, events, result, times, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            result = result with { Outcome = BuildOutcome.Aborted, ErrorDetail = "The build was cancelled" };
        }
        catch (WorkspaceMergeConflictException e)
        {
            result = result with { Outcome = BuildOutcome.MergeConflict, ErrorDetail = e.Message };
        }
        catch (BuildSetupException e)
        {
            result = result with { Outcome = BuildOutcome.Error, ErrorDetail = e.Message };
        }
        catch (GitException e)
        {
            result = result with { Outcome = e.IsTransient ? BuildOutcome.Retry : BuildOutcome.Error, ErrorDetail = $"Preparing the workspace failed: {e.Message}" };
        }
        catch
        {
            // An unexpected failure must not leave the agent running, even one still starting.
            if ((agent ?? await StartedAgentAsync(agentStart).ConfigureAwait(false)) is { } running)
            {
                await running.DisposeAsync().ConfigureAwait(false);
            }
            throw;
        }
        // Preparation failed while the agent was starting: it must not outlive the build either.
        agent ??= await StartedAgentAsync(agentStart).ConfigureAwait(false);
        try
        {
            if (vars is not null)
            {
                await RunCleanupAsync(dir, playbooks, vars, times).ConfigureAwait(false);
            }
        }
        finally
        {
            if (agent is not null)
            {
                await agent.DisposeAsync().ConfigureAwait(false);
                times.Lap("ssh-agent stop");
            }
        }
        // The log always exists and always ends with the result, so a user sees why even without a playbook run.
        await File.AppendAllTextAsync(logFile,
            $"{LogClock.Stamp()} | BUILD RESULT: {result.ResultName ?? "RETRY"}{(result.ErrorDetail is null ? "" : " - " + result.ErrorDetail)}\n",
            CancellationToken.None).ConfigureAwait(false);
        var logDir = StoreLogs(parameters.BuildId, dir);
        times.Lap("store logs");
        WritePhaseTimes(logDir, times.ToImmutable());
        Logs.Finished(parameters.BuildId, Path.Combine(logDir, "job-output.txt"));
        return result with { EndTime = _time.GetUtcNow(), LogDirectory = logDir };
    }

    private static async Task<SshAgent?> StartedAgentAsync(Task<SshAgent>? start)
    {
        if (start is null)
        {
            return null;
        }
        try
        {
            return await start.ConfigureAwait(false);
        }
        catch (Exception e) when (e is BuildSetupException or OperationCanceledException)
        {
            return null; // it never started, or the build already reported why
        }
    }

    /// <summary>The step durations of a finished build, from its log directory (empty if it has none).</summary>
    public static ImmutableArray<BuildPhaseTime> ReadPhaseTimes(string logDirectory)
    {
        var file = Path.Combine(logDirectory, "zuul-info", "phases.txt");
        if (!File.Exists(file))
        {
            return [];
        }
        return [.. File.ReadAllLines(file).Where(l => l.Contains(' ', StringComparison.Ordinal)).Select(l =>
            new BuildPhaseTime(l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..],
                TimeSpan.FromSeconds(double.Parse(l[..l.IndexOf(' ', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture))))];
    }

    private static void WritePhaseTimes(string logDir, ImmutableArray<BuildPhaseTime> phases)
    {
        var info = Path.Combine(logDir, "zuul-info");
        Directory.CreateDirectory(info);
        File.WriteAllText(Path.Combine(info, "phases.txt"), PhaseTimes.Format(phases));
    }

    private async Task RunCleanupAsync(BuildDirectory dir, ImmutableArray<PreparedPlaybook> playbooks, InventoryWriter.VarsFiles vars, PhaseTimes times)
    {
        // Cleanup runs even after an abort, with its own hard limit, never the build's (cancelled) token.
        foreach (var playbook in playbooks.Where(p => p.Phase == PlaybookPhase.Cleanup))
        {
            await _ansible.RunAsync(dir, playbook, vars, null, _options.CleanupTimeout, CancellationToken.None).ConfigureAwait(false);
            times.Lap("cleanup " + playbook.DisplayName);
        }
    }

    private string StoreLogs(string buildId, BuildDirectory dir)
    {
        var logRoot = _options.LogRoot ?? Path.Combine(_options.StateRoot, "logs");
        var target = Path.Combine(Path.GetFullPath(logRoot), buildId);
        if (_options.KeepBuildDirectories)
        {
            return dir.Logs;
        }
        Directory.CreateDirectory(logRoot);
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }
        Directory.Move(dir.Logs, target);
        RemoveLater(dir.Root);
        return target;
    }

    /// <summary>
    /// Removes a finished build's directory off the result's path: deleting a workspace (checkouts, objects) takes
    /// longer than the rest of finishing a build, and nobody waits for it. The directory is first renamed (at once)
    /// to a <c>.removing-*</c> name, so a new attempt of the same build never meets it; leftovers of an executor that
    /// died before removing them go with the next removal.
    /// </summary>
    private void RemoveLater(string buildRoot)
    {
        var jobRoot = Path.GetFullPath(_options.JobRoot);
        var doomed = Path.Combine(jobRoot, ".removing-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.Move(buildRoot, doomed);
        }
        catch (IOException)
        {
            return; // A leftover must not turn a finished build into an error; the next build's retry removes it.
        }
        _ = Task.Run(() =>
        {
            foreach (var dir in Directory.EnumerateDirectories(jobRoot, ".removing-*"))
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Another removal got there first, or a file is busy: the next removal retries.
                }
            }
        }, CancellationToken.None);
    }
}

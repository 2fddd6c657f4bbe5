using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CliWrap;
using Gating.Model;

namespace Gating.Executor.Build;

/// <summary>How one ansible-playbook run ended.</summary>
public enum PlaybookStatus
{
    /// <summary>It ran to its end (see the exit code).</summary>
    Normal,
    /// <summary>It ran past its timeout and was killed.</summary>
    TimedOut,
    /// <summary>The build was cancelled and it was killed.</summary>
    Aborted,
}

/// <summary>The outcome of one ansible-playbook run.</summary>
public sealed record PlaybookRun(PlaybookStatus Status, int ExitCode, bool Unreachable, ImmutableArray<BuildTaskFailure> Failures, string Output)
{
    /// <summary>True when it ran to the end with no failed host.</summary>
    public bool Succeeded => Status == PlaybookStatus.Normal && ExitCode == 0;
}

/// <summary>
/// Runs ansible-playbook for one prepared playbook, through CliWrap, inside bubblewrap: a fresh root with /usr and a
/// few /etc files read-only, the build's inventory and vars files and this playbook's own directory (its secrets)
/// and checkouts read-only, and <c>work/</c> the only writable tree. For an untrusted playbook Ansible's local
/// connection and the pipe/lines lookups are replaced by versions that refuse to run anything on the executor.
/// </summary>
public sealed partial class AnsibleRunner
{
    private readonly ExecutorOptions _options;
    private readonly TimeProvider _time;
    private readonly string _pluginDir;

    /// <summary>Creates a runner using the plugins extracted to <paramref name="pluginDir"/>.</summary>
    public AnsibleRunner(ExecutorOptions options, TimeProvider time, string pluginDir)
    {
        _options = options;
        _time = time;
        _pluginDir = pluginDir;
    }

    /// <summary>Runs the playbook; kills it after <paramref name="timeout"/> or when <paramref name="cancellationToken"/> fires.</summary>
    public async Task<PlaybookRun> RunAsync(
        BuildDirectory dir, PreparedPlaybook playbook, InventoryWriter.VarsFiles vars, IReadOnlyDictionary<string, string>? phaseVars,
        TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var args = new List<string> { playbook.PlaybookFile, "-e", "@" + vars.ZuulVars };
        if (playbook.SecretsFile is not null)
        {
            args.AddRange(["-e", "@" + playbook.SecretsFile]);
        }
        if (phaseVars is { Count: > 0 })
        {
            args.AddRange(["-e", JsonSerializer.Serialize(phaseVars)]);
        }
        if (vars.ExtraVars is not null)
        {
            args.AddRange(["-e", "@" + vars.ExtraVars]);
        }
        if (vars.SiteVars is not null)
        {
            args.AddRange(["-e", "@" + vars.SiteVars]);
        }
        var command = _options.Sandbox
            ? Cli.Wrap(_options.Bwrap).WithArguments([.. SandboxArguments(dir, playbook, vars), _options.AnsiblePlaybook, .. args])
            : Cli.Wrap(_options.AnsiblePlaybook).WithArguments(args);
        var output = new StringBuilder();
        var jsonPath = Path.Combine(dir.Logs, "job-output.json");
        var before = CountPlaybooks(jsonPath);
        command = command
            .WithWorkingDirectory(dir.Work)
            .WithEnvironmentVariables(Environment(dir, playbook, vars))
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(output))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(output))
            .WithValidation(CommandResultValidation.None);
        using var timer = timeout is { } t ? new CancellationTokenSource(t > TimeSpan.Zero ? t : TimeSpan.FromMilliseconds(1), _time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        int exitCode;
        var status = PlaybookStatus.Normal;
        try
        {
            exitCode = (await command.ExecuteAsync(linked.Token).ConfigureAwait(false)).ExitCode;
        }
        catch (OperationCanceledException)
        {
            exitCode = -1;
            status = cancellationToken.IsCancellationRequested ? PlaybookStatus.Aborted : PlaybookStatus.TimedOut;
        }
        var text = output.ToString();
        if (status == PlaybookStatus.TimedOut)
        {
            await AppendLogAsync(dir, $"RUN END RESULT_TIMED_OUT: [{playbook.DisplayName}] timed out after {timeout}").ConfigureAwait(false);
        }
        else if (status == PlaybookStatus.Aborted)
        {
            await AppendLogAsync(dir, $"RUN END RESULT_ABORTED: [{playbook.DisplayName}]").ConfigureAwait(false);
        }
        else if (!string.IsNullOrWhiteSpace(text))
        {
            // Ansible's own errors (syntax errors, missing roles) never reach the callback.
            await AppendLogAsync(dir, text).ConfigureAwait(false);
        }
        var (failures, unreachable) = ReadFailures(jsonPath, before, playbook.DisplayName);
        return new PlaybookRun(status, exitCode, unreachable, failures, text);
    }

    private static Dictionary<string, string?> Environment(BuildDirectory dir, PreparedPlaybook playbook, InventoryWriter.VarsFiles vars) => new()
    {
        // The node key reaches ssh only through the agent: never as a file the playbook could read.
        ["SSH_AUTH_SOCK"] = vars.AgentSocket,
        ["ANSIBLE_CONFIG"] = Path.Combine(playbook.Directory, "ansible.cfg"),
        ["HOME"] = dir.Work,
        ["LANG"] = "C.UTF-8",
        ["LC_ALL"] = "C.UTF-8",
        ["PYTHONDONTWRITEBYTECODE"] = "1",
        ["TMPDIR"] = dir.Tmp,
        ["GATING_LOG_DIR"] = dir.Logs,
        ["GATING_RESULTS_FILE"] = dir.ResultsFile,
        ["GATING_STREAM_CONFIG"] = vars.StreamConfig,
        ["GATING_CONTROL_PATH_DIR"] = dir.ControlPath,
        ["GATING_PLAYBOOK_NAME"] = playbook.DisplayName,
        ["GATING_PLAYBOOK_PHASE"] = playbook.Phase.ToString().ToLowerInvariant(),
        ["GATING_PLAYBOOK_TRUSTED"] = playbook.Playbook.Trusted ? "true" : "false",
        ["GATING_PLAYBOOK_BRANCH"] = playbook.Playbook.Branch,
        ["GATING_PLAYBOOK_INDEX"] = playbook.Index.ToString(CultureInfo.InvariantCulture),
    };

    private static async Task AppendLogAsync(BuildDirectory dir, string text)
    {
        var lines = text.TrimEnd().Split('\n').Select(l => $"{LogClock.Stamp()} | {l}\n");
        await File.AppendAllTextAsync(Path.Combine(dir.Logs, "job-output.txt"), string.Concat(lines)).ConfigureAwait(false);
    }

    private static int CountPlaybooks(string jsonPath)
    {
        if (!File.Exists(jsonPath))
        {
            return 0;
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(jsonPath));
        return doc.RootElement.GetArrayLength();
    }

    /// <summary>The failed and unreachable hosts of the playbook entries the run added to job-output.json.</summary>
    private static (ImmutableArray<BuildTaskFailure> Failures, bool Unreachable) ReadFailures(string jsonPath, int before, string playbookName)
    {
        if (!File.Exists(jsonPath))
        {
            return ([], false);
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(jsonPath));
        var failures = ImmutableArray.CreateBuilder<BuildTaskFailure>();
        var unreachable = false;
        foreach (var entry in doc.RootElement.EnumerateArray().Skip(before))
        {
            foreach (var play in entry.GetProperty("plays").EnumerateArray())
            {
                foreach (var task in play.GetProperty("tasks").EnumerateArray())
                {
                    var taskName = task.GetProperty("task").GetProperty("name").GetString() ?? "";
                    foreach (var host in task.GetProperty("hosts").EnumerateObject())
                    {
                        var result = host.Value.GetProperty("status").GetString();
                        if (result is "failed" or "unreachable")
                        {
                            unreachable |= result == "unreachable";
                            var message = host.Value.TryGetProperty("msg", out var msg) ? msg.ToString() : result ?? "";
                            // "non-zero return code" alone says little: add the end of the command's output.
                            foreach (var stream in new[] { "stderr", "stdout" })
                            {
                                if (host.Value.TryGetProperty(stream, out var text) && text.GetString() is { Length: > 0 } output)
                                {
                                    message += "\n" + (output.Length > 1000 ? output[^1000..] : output);
                                    break;
                                }
                            }
                            failures.Add(new BuildTaskFailure(playbookName, taskName, host.Name, message));
                        }
                    }
                }
            }
        }
        return (failures.ToImmutable(), unreachable);
    }
}

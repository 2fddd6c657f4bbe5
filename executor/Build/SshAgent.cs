using System.Diagnostics;
using System.Globalization;
using CliWrap;

namespace Gating.Executor.Build;

/// <summary>
/// One build's ssh-agent holding the node key (zuul.md 4.3, "SSH agent per build"): playbooks log in to nodes through
/// the agent socket, which is the only thing of the key the sandbox sees, so an untrusted playbook can use the key but
/// never read it. The agent runs as <c>ssh-agent -a SOCK sh -c 'read'</c> with its stdin a pipe from the executor:
/// when the executor dies, even by SIGKILL, the pipe closes, the shell exits and ssh-agent follows its command, so no
/// agent outlives its executor. The socket lives in a short private directory (unix socket paths are limited).
/// </summary>
public sealed class SshAgent : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(20);
    private readonly string _dir;
    private readonly TaskCompletionSource _release;
    private readonly Task _process;
    private readonly int _pid;

    private SshAgent(string dir, string socketPath, TaskCompletionSource release, Task process, int pid)
    {
        _dir = dir;
        SocketPath = socketPath;
        _release = release;
        _process = process;
        _pid = pid;
    }

    /// <summary>The agent's socket (<c>SSH_AUTH_SOCK</c>).</summary>
    public string SocketPath { get; }

    /// <summary>Starts an agent and adds <paramref name="keyFile"/> to it.</summary>
    /// <exception cref="BuildSetupException">The agent did not start or refused the key.</exception>
    public static async Task<SshAgent> StartAsync(string keyFile, TimeProvider time, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("ssh-agent sockets need a unix system");
        }
        var dir = Path.Combine(Path.GetTempPath(), "gating-agent-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var socket = Path.Combine(dir, "agent.sock");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pidLine = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new System.Text.StringBuilder();
        // The socket is bound before ssh-agent forks its command, so once the command speaks the agent is ready.
        var process = Cli.Wrap("ssh-agent").WithArguments(["-a", socket, "/bin/sh", "-c", "echo \"$SSH_AGENT_PID\"; read _"])
            .WithStandardInputPipe(PipeSource.Create(async (_, ct) => await release.Task.WaitAsync(ct).ConfigureAwait(false)))
            .WithStandardOutputPipe(PipeTarget.ToDelegate(line => pidLine.TrySetResult(line)))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(errors))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(CancellationToken.None);
        var ended = process.Task.ContinueWith(_ => pidLine.TrySetResult(""), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        string line;
        try
        {
            line = await pidLine.Task.WaitAsync(StartLimit, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            line = "";
        }
        if (!int.TryParse(line.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
        {
            release.TrySetResult();
            Directory.Delete(dir, recursive: true);
            throw new BuildSetupException($"The executor could not start ssh-agent: {errors.ToString().Trim()}");
        }
        var agent = new SshAgent(dir, socket, release, process.Task, pid);
        var added = await Cli.Wrap("ssh-add").WithArguments(["-q", keyFile])
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["SSH_AUTH_SOCK"] = socket })
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(errors))
            .WithValidation(CommandResultValidation.None).ExecuteAsync(cancellationToken).ConfigureAwait(false);
        if (added.ExitCode != 0)
        {
            await agent.DisposeAsync().ConfigureAwait(false);
            throw new BuildSetupException($"The executor could not add its node key {keyFile} to ssh-agent: {errors.ToString().Trim()}");
        }
        _ = ended;
        return agent;
    }

    /// <summary>Stops the agent and removes its socket.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            using var process = Process.GetProcessById(_pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Already gone.
        }
        _release.TrySetResult(); // closes the shell's stdin: the command ends
        try
        {
            await _process.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException)
        {
        }
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

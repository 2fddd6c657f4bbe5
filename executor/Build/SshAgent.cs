using System.Diagnostics;
using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;

namespace Gating.Executor.Build;

/// <summary>
/// One build's ssh-agent holding the node key (zuul.md 4.3, "SSH agent per build"): playbooks log in to nodes through
/// the agent socket, which is the only thing of the key the sandbox sees, so an untrusted playbook can use the key but
/// never read it. The socket lives in a short private directory (unix socket paths are limited to 108 bytes).
/// </summary>
public sealed partial class SshAgent : IAsyncDisposable
{
    private readonly string _dir;
    private readonly int _pid;

    private SshAgent(string dir, string socketPath, int pid)
    {
        _dir = dir;
        SocketPath = socketPath;
        _pid = pid;
    }

    /// <summary>The agent's socket (<c>SSH_AUTH_SOCK</c>).</summary>
    public string SocketPath { get; }

    /// <summary>Starts an agent and adds <paramref name="keyFile"/> to it.</summary>
    /// <exception cref="BuildSetupException">The agent did not start or refused the key.</exception>
    public static async Task<SshAgent> StartAsync(string keyFile, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(Path.GetTempPath(), "gating-agent-" + Guid.NewGuid().ToString("N")[..12]);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("ssh-agent sockets need a unix system");
        }
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var socket = Path.Combine(dir, "agent.sock");
        var started = await Cli.Wrap("ssh-agent").WithArguments(["-s", "-a", socket]).WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancellationToken).ConfigureAwait(false);
        var pid = AgentPid().Match(started.StandardOutput);
        if (started.ExitCode != 0 || !pid.Success)
        {
            Directory.Delete(dir, recursive: true);
            throw new BuildSetupException($"The executor could not start ssh-agent: {started.StandardError.Trim()}");
        }
        var agent = new SshAgent(dir, socket, int.Parse(pid.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        var added = await Cli.Wrap("ssh-add").WithArguments(["-q", keyFile])
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["SSH_AUTH_SOCK"] = socket })
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(cancellationToken).ConfigureAwait(false);
        if (added.ExitCode != 0)
        {
            await agent.DisposeAsync().ConfigureAwait(false);
            throw new BuildSetupException($"The executor could not add its node key {keyFile} to ssh-agent: {added.StandardError.Trim()}");
        }
        return agent;
    }

    /// <summary>Stops the agent and removes its socket.</summary>
    public ValueTask DisposeAsync()
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
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"SSH_AGENT_PID=(\d+)")]
    private static partial Regex AgentPid();
}

using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace Gating.Executor.Git;

/// <summary>The output of one git command.</summary>
public sealed record GitOutput(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Standard output without the trailing newline.</summary>
    public string Text => StandardOutput.TrimEnd('\n');

    /// <summary>Standard output split into non-empty lines.</summary>
    public IReadOnlyList<string> Lines => StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// Runs the git CLI through CliWrap with a timeout and cancellation. Machine and user git configuration is ignored
/// (<c>GIT_CONFIG_NOSYSTEM</c>, <c>GIT_CONFIG_GLOBAL=/dev/null</c>) so that every executor merges the same way.
/// </summary>
public sealed class GitRunner
{
    private static readonly string[] BaseConfig =
    [
        "-c", "core.hooksPath=/dev/null", "-c", "gc.auto=0", "-c", "commit.gpgSign=false",
        "-c", "advice.detachedHead=false", "-c", "init.defaultBranch=main", "-c", "core.autocrlf=false",
        "-c", "protocol.file.allow=always", "-c", "maintenance.auto=false",
    ];

    private readonly GitOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates a runner.</summary>
    public GitRunner(GitOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <summary>The options this runner was made with.</summary>
    public GitOptions Options => _options;

    /// <summary>Runs git in <paramref name="workDir"/>; throws <see cref="GitException"/> on a non-zero exit.</summary>
    public Task<GitOutput> RunAsync(string? workDir, IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        RunAsync(workDir, args, null, check: true, cancellationToken);

    /// <summary>Runs git with extra environment variables; with <paramref name="check"/> false a non-zero exit is returned, not thrown.</summary>
    public Task<GitOutput> RunAsync(
        string? workDir,
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string?>? environment,
        bool check,
        CancellationToken cancellationToken) =>
        RunCoreAsync(workDir, args, environment, check, null, cancellationToken);

    /// <summary>Runs git with <paramref name="standardInput"/> piped in (e.g. <c>update-ref --stdin</c>).</summary>
    public Task<GitOutput> RunWithInputAsync(string? workDir, IReadOnlyList<string> args, string standardInput, CancellationToken cancellationToken) =>
        RunCoreAsync(workDir, args, null, check: true, standardInput, cancellationToken);

    /// <summary>Runs git and returns its raw standard output bytes (for <c>cat-file --batch</c>).</summary>
    public async Task<byte[]> RunForBytesAsync(string workDir, IReadOnlyList<string> args, string standardInput, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.CommandTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var stdout = new MemoryStream();
        var stderr = new StringBuilder();
        var result = await Command(workDir, args, null)
            .WithStandardInputPipe(PipeSource.FromString(standardInput))
            .WithStandardOutputPipe(PipeTarget.ToStream(stdout))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr))
            .ExecuteAsync(linked.Token).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw Failure(args, result.ExitCode, stderr.ToString(), timedOut: false);
        }
        return stdout.ToArray();
    }

    /// <summary>Writes the tree of <paramref name="revision"/> into <paramref name="destination"/> (<c>git archive | tar -x</c>), without a .git dir.</summary>
    public async Task ExportAsync(string repoPath, string revision, string destination, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(destination);
        using var timeout = new CancellationTokenSource(_options.CommandTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var stderr = new StringBuilder();
        var pipeline = Command(repoPath, ["archive", "--format=tar", revision], null).WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr))
            | Cli.Wrap("tar").WithArguments(["-x", "-C", destination]).WithValidation(CommandResultValidation.None);
        var result = await pipeline.ExecuteAsync(linked.Token).ConfigureAwait(false);
        if (result.ExitCode != 0 || stderr.Length > 0)
        {
            throw Failure(["archive", revision], result.ExitCode, stderr.ToString(), timedOut: false);
        }
    }

    private async Task<GitOutput> RunCoreAsync(
        string? workDir,
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string?>? environment,
        bool check,
        string? standardInput,
        CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.CommandTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var command = Command(workDir, args, environment);
        if (standardInput is not null)
        {
            command = command.WithStandardInputPipe(PipeSource.FromString(standardInput));
        }
        BufferedCommandResult result;
        try
        {
            result = await command.ExecuteBufferedAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Failure(args, -1, $"timed out after {_options.CommandTimeout}", timedOut: true);
        }
        var output = new GitOutput(result.ExitCode, result.StandardOutput, result.StandardError);
        if (check && result.ExitCode != 0)
        {
            throw Failure(args, result.ExitCode, result.StandardError + result.StandardOutput, timedOut: false);
        }
        return output;
    }

    private Command Command(string? workDir, IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? environment)
    {
        var env = new Dictionary<string, string?>
        {
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["GIT_CONFIG_GLOBAL"] = "/dev/null",
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["LC_ALL"] = "C",
        };
        if (_options.SshCommand is not null)
        {
            env["GIT_SSH_COMMAND"] = _options.SshCommand;
        }
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                env[key] = value;
            }
        }
        return Cli.Wrap(_options.Executable)
            .WithArguments([.. BaseConfig, .. args])
            .WithWorkingDirectory(workDir ?? Directory.GetCurrentDirectory())
            .WithEnvironmentVariables(env)
            .WithValidation(CommandResultValidation.None);
    }

    private static GitException Failure(IReadOnlyList<string> args, int exitCode, string stderr, bool timedOut) =>
        new($"git {string.Join(' ', args)} failed ({(timedOut ? "timeout" : $"exit {exitCode}")}): {stderr.Trim()}", exitCode, stderr, timedOut);
}

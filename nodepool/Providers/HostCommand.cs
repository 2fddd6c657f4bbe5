using CliWrap;
using CliWrap.Buffered;

namespace Gating.Nodepool.Providers;

/// <summary>Runs a host program (ip, mount, ssh-keygen, ssh-keyscan) to completion through CliWrap.</summary>
internal static class HostCommand
{
    /// <summary>Runs the program; throws <see cref="HostCommandException"/> with its stderr when it fails.</summary>
    public static async Task<string> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await TryRunAsync(program, arguments, cancellationToken);
        return result.ExitCode == 0
            ? result.StandardOutput
            : throw new HostCommandException(
                $"'{program} {string.Join(' ', arguments)}' exited with {result.ExitCode}: {result.StandardError.Trim()}");
    }

    /// <summary>Runs the program and returns its result, whatever the exit code.</summary>
    public static Task<BufferedCommandResult> TryRunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        Cli.Wrap(program).WithArguments(arguments).WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancellationToken).Task;
}

/// <summary>A host program failed.</summary>
public sealed class HostCommandException(string message) : Exception(message);

namespace Gating.Executor.Git;

/// <summary>A git command failed or timed out.</summary>
public sealed class GitException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GitException(string message, int exitCode, string standardError, bool timedOut = false)
        : base(message)
    {
        ExitCode = exitCode;
        StandardError = standardError;
        TimedOut = timedOut;
    }

    /// <summary>git's exit code (-1 when it was killed).</summary>
    public int ExitCode { get; }

    /// <summary>What git wrote to stderr.</summary>
    public string StandardError { get; }

    /// <summary>True when the command ran past <see cref="GitOptions.CommandTimeout"/>.</summary>
    public bool TimedOut { get; }

    /// <summary>Network and timeout failures may go away on retry; a conflict or a missing ref will not.</summary>
    public bool IsTransient => TimedOut || StandardError.Contains("Could not read from remote", StringComparison.Ordinal)
        || StandardError.Contains("unable to access", StringComparison.Ordinal)
        || StandardError.Contains("Connection refused", StringComparison.Ordinal);
}

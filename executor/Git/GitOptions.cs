namespace Gating.Executor.Git;

/// <summary>How git is run by the merger and the workspace builder.</summary>
public sealed record GitOptions
{
    /// <summary>The git executable.</summary>
    public string Executable { get; init; } = "git";

    /// <summary>Longest a single git command may take before it is killed (clone and fetch of big repos included).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The ssh command git uses for ssh:// URLs (<c>GIT_SSH_COMMAND</c>); null for git's default.</summary>
    public string? SshCommand { get; init; }

    /// <summary>Name of the identity that generated commits carry.</summary>
    public string CommitterName { get; init; } = "Gating";

    /// <summary>E-mail of the identity that generated commits carry.</summary>
    public string CommitterEmail { get; init; } = "gating@localhost";
}

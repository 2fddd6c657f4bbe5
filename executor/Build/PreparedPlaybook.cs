using System.Collections.Immutable;
using Gating.Model;

namespace Gating.Executor.Build;

/// <summary>The phase a playbook runs in.</summary>
public enum PlaybookPhase
{
    /// <summary>pre-run.</summary>
    Pre,
    /// <summary>run.</summary>
    Run,
    /// <summary>post-run.</summary>
    Post,
    /// <summary>cleanup (also on abort).</summary>
    Cleanup,
}

/// <summary>A playbook laid out and ready to run.</summary>
/// <param name="Index">Its number in the build (its <c>ansible/playbook_N</c> directory).</param>
/// <param name="Phase">The phase.</param>
/// <param name="Playbook">What the frozen job said.</param>
/// <param name="Directory">Its <c>ansible/playbook_N</c> directory (ansible.cfg, secrets, role links).</param>
/// <param name="PlaybookFile">The playbook file inside its checkout.</param>
/// <param name="Checkouts">The checkouts it reads (its project and its roles), mounted read-only.</param>
/// <param name="SecretsFile">Its secrets as extra-vars, readable only by its own run; null without secrets.</param>
/// <param name="RolePaths">Its roles path entries.</param>
public sealed record PreparedPlaybook(
    int Index,
    PlaybookPhase Phase,
    BuildPlaybook Playbook,
    string Directory,
    string PlaybookFile,
    ImmutableArray<string> Checkouts,
    string? SecretsFile,
    ImmutableArray<string> RolePaths)
{
    /// <summary>How the playbook is named in logs: <c>project/path@branch</c>.</summary>
    public string DisplayName => $"{Playbook.Project.CanonicalName}/{Playbook.Path}@{Playbook.Branch}";
}

/// <summary>The job's definition cannot be run as given (a missing playbook, plugins in an untrusted repo).</summary>
public sealed class BuildSetupException(string message) : Exception(message);

using System.Collections.Immutable;
using System.Text.Json;

namespace Gating.Model;

/// <summary>A project as the build variables name it (Zuul's <c>zuul.projects</c> entries).</summary>
/// <param name="Connection">The connection the project belongs to.</param>
/// <param name="Name">The project name, e.g. <c>org/project</c>.</param>
/// <param name="CanonicalHostname">The canonical hostname of the connection, e.g. <c>review.example.org</c>.</param>
/// <param name="DefaultBranch">The project's default branch.</param>
/// <param name="OverrideCheckout">The required-projects <c>override-checkout</c>, when set.</param>
public sealed record BuildProject(
    string Connection,
    string Name,
    string CanonicalHostname,
    string DefaultBranch = "main",
    string? OverrideCheckout = null)
{
    /// <summary>The project on its connection.</summary>
    public ProjectRef Ref => new(Connection, Name);

    /// <summary><c>canonical_hostname/name</c>.</summary>
    public string CanonicalName => $"{CanonicalHostname}/{Name}";

    /// <summary>The last path component of the name.</summary>
    public string ShortName => Name[(Name.LastIndexOf('/') + 1)..];
}

/// <summary>A role repository a playbook uses (Zuul's job <c>roles</c>).</summary>
/// <param name="Project">The project holding the role (a bare role, or a <c>roles/</c> directory).</param>
/// <param name="TargetName">The name a bare role is known by (an alias of the repository name).</param>
/// <param name="Branch">The branch to take the role from; null for the job's branch, else the default branch.</param>
public sealed record BuildRole(BuildProject Project, string TargetName, string? Branch = null);

/// <summary>A secret a playbook receives, already decrypted, as the variable <paramref name="Name"/>.</summary>
public sealed record BuildSecret(string Name, JsonElement Value);

/// <summary>One playbook of a job, in the frozen order.</summary>
/// <param name="Project">The project the playbook lives in.</param>
/// <param name="Branch">The branch it was defined on.</param>
/// <param name="Path">The playbook's path in the project, e.g. <c>playbooks/run.yaml</c>.</param>
/// <param name="Trusted">True for a config-project playbook: branch tip, may run on the executor.</param>
/// <param name="Roles">Role repositories, in precedence order.</param>
/// <param name="Secrets">Secrets for this playbook only.</param>
/// <param name="NestingLevel">Depth in the job's inheritance (0 = base job), for skipping post-run playbooks.</param>
public sealed record BuildPlaybook(
    BuildProject Project,
    string Branch,
    string Path,
    bool Trusted,
    ImmutableArray<BuildRole> Roles = default,
    ImmutableArray<BuildSecret> Secrets = default,
    int NestingLevel = 0);

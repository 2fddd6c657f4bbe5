using System.Collections.Immutable;
using Gating.Config.Yaml;

namespace Gating.Config.Model;

/// <summary>A playbook reference of <c>pre-run</c>, <c>run</c>, <c>post-run</c> or <c>cleanup-run</c>.</summary>
/// <param name="Path">Playbook path in the job's repository.</param>
/// <param name="Semaphores">Playbook-level semaphores (<c>{name, semaphores}</c> form).</param>
/// <param name="Cleanup">For post-run: run even when the job is canceled.</param>
/// <param name="Location">Where it was written.</param>
public sealed record PlaybookRef(string Path, ImmutableArray<string> Semaphores, bool Cleanup, SourceLocation Location);

/// <summary>A role repository: <c>{zuul: project, name: alias}</c> (or the reserved <c>galaxy</c> form).</summary>
public sealed record RoleRef(string? Zuul, string? Galaxy, string? Name, SourceLocation Location);

/// <summary>A <c>required-projects</c> entry.</summary>
public sealed record RequiredProjectRef(string Name, string? OverrideCheckout, string? OverrideBranch, SourceLocation Location);

/// <summary>An <c>include-vars</c> entry: a file name, or <c>{name, project | zuul-project, required, use-ref}</c>.</summary>
public sealed record IncludeVarsRef(string Name, string? Project, bool ZuulProject, bool Required, bool UseRef, SourceLocation Location);

/// <summary>A job's use of a secret: <c>name</c> is the Ansible variable, <c>secret</c> the secret object.</summary>
public sealed record SecretUse(string Name, string Secret, bool PassToParent, SourceLocation Location);

/// <summary>A job-level semaphore: name and whether resources are acquired first.</summary>
public sealed record SemaphoreUse(string Name, bool ResourcesFirst, SourceLocation Location);

/// <summary>A job dependency: name, and whether it is soft (ignored when the dependency does not run).</summary>
public sealed record JobDependency(string Name, bool Soft, SourceLocation Location);

/// <summary>A job's <c>nodeset</c>: a name (resolved against the layout) or an inline anonymous nodeset.</summary>
public sealed record NodesetRef(string? Name, NodesetConfig? Inline, SourceLocation Location);

using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>
/// A job as it will run for one change in one pipeline: every variant that matched has been applied along the
/// inheritance chain, the project-pipeline variants last, and every name (nodeset, secrets, semaphores) resolved.
/// The scheduler and the executor read this and nothing else about the job.
/// </summary>
public sealed record FrozenJob
{
    /// <summary>The job's name.</summary>
    public required string Name { get; init; }

    /// <summary>Every variant applied, base job first, then project-pipeline variants (as zuul's <c>_inheritance_path</c>).</summary>
    public required ImmutableArray<InheritanceStep> InheritancePath { get; init; }

    /// <summary>The job's description (last one set).</summary>
    public string? Description { get; init; }

    /// <summary>Whether its result counts for the item.</summary>
    public bool Voting { get; init; } = true;

    /// <summary>Items behind wait for this job to finish (dependent pipelines).</summary>
    public bool HoldFollowingChanges { get; init; }

    /// <summary>Report text on success.</summary>
    public string SuccessMessage { get; init; } = "SUCCESS";

    /// <summary>Report text on failure.</summary>
    public string FailureMessage { get; init; } = "FAILURE";

    /// <summary>Report URL on success.</summary>
    public string? SuccessUrl { get; init; }

    /// <summary>Report URL on failure (deprecated).</summary>
    public string? FailureUrl { get; init; }

    /// <summary>Seconds for pre-run plus run; null when none is set (the executor's default applies).</summary>
    public int? Timeout { get; init; }

    /// <summary>Seconds for the pre-run playbooks; null when not set.</summary>
    public int? PreTimeout { get; init; }

    /// <summary>Seconds for each post-run playbook; null when not set.</summary>
    public int? PostTimeout { get; init; }

    /// <summary>How many times the job may be attempted.</summary>
    public int Attempts { get; init; } = 3;

    /// <summary>The nodes to request; an empty nodeset means an executor-only job.</summary>
    public FrozenNodeset Nodeset { get; init; } = FrozenNodeset.Empty;

    /// <summary>Pre-run playbooks in run order (parent's first), each with its nesting level.</summary>
    public ImmutableArray<FrozenPlaybook> PreRun { get; init; } = [];

    /// <summary>Run playbooks (the last definition's; normally one).</summary>
    public ImmutableArray<FrozenPlaybook> Run { get; init; } = [];

    /// <summary>Post-run playbooks in run order (child's first).</summary>
    public ImmutableArray<FrozenPlaybook> PostRun { get; init; } = [];

    /// <summary>Cleanup-run playbooks in run order (deprecated form of post-run with cleanup).</summary>
    public ImmutableArray<FrozenPlaybook> CleanupRun { get; init; } = [];

    /// <summary>Job variables (project and template variables merged underneath).</summary>
    public VarMap Vars { get; init; } = VarMap.Empty;

    /// <summary>Extra variables (highest Ansible precedence short of site variables).</summary>
    public VarMap ExtraVars { get; init; } = VarMap.Empty;

    /// <summary>Variables per host (node name to mapping).</summary>
    public VarMap HostVars { get; init; } = VarMap.Empty;

    /// <summary>Variables per group (group name to mapping).</summary>
    public VarMap GroupVars { get; init; } = VarMap.Empty;

    /// <summary>Files of variables to include, appended across variants.</summary>
    public ImmutableArray<IncludeVarsFile> IncludeVars { get; init; } = [];

    /// <summary>Projects to check out in the workspace, in first-seen order.</summary>
    public ImmutableArray<RequiredProject> RequiredProjects { get; init; } = [];

    /// <summary>The branch to check out instead of the item's branch, if any.</summary>
    public string? OverrideCheckout { get; init; }

    /// <summary>Jobs of the same buildset that must finish first.</summary>
    public ImmutableArray<JobDependency> Dependencies { get; init; } = [];

    /// <summary>Artifacts this job provides to changes behind it.</summary>
    public ImmutableArray<string> Provides { get; init; } = [];

    /// <summary>Artifacts this job needs from changes ahead of it.</summary>
    public ImmutableArray<string> Requires { get; init; } = [];

    /// <summary>Free-form tags.</summary>
    public ImmutableArray<string> Tags { get; init; } = [];

    /// <summary>Regexes that mark a build failed early when they match its output.</summary>
    public ImmutableArray<string> FailureOutput { get; init; } = [];

    /// <summary>Semaphores held while the job runs (unioned across variants).</summary>
    public ImmutableArray<JobSemaphore> Semaphores { get; init; } = [];

    /// <summary>Projects that may run this job; null means any project.</summary>
    public ImmutableArray<string>? AllowedProjects { get; init; }

    /// <summary>Only runs in post-review pipelines (sticky once set along the chain).</summary>
    public bool PostReview { get; init; }

    /// <summary>The file matchers that decided whether the job runs (regexes).</summary>
    public ImmutableArray<string> Files { get; init; } = [];

    /// <summary>Regexes of files whose change alone does not run the job.</summary>
    public ImmutableArray<string> IrrelevantFiles { get; init; } = [];

    /// <summary>Run anyway when the change updates this job's configuration.</summary>
    public bool MatchOnConfigUpdates { get; init; } = true;

    /// <summary>The Ansible version to run the playbooks with, if set.</summary>
    public string? AnsibleVersion { get; init; }

    /// <summary>Keep stdout and stderr apart in the job output.</summary>
    public bool AnsibleSplitStreams { get; init; }

    /// <summary><c>golang</c>, <c>flat</c> or <c>unique</c>.</summary>
    public string WorkspaceScheme { get; init; } = "golang";

    /// <summary><c>true</c>, <c>false</c> or <c>auto</c>.</summary>
    public string WorkspaceCheckout { get; init; } = "true";

    /// <summary><c>auto</c>, <c>true</c> or <c>false</c>.</summary>
    public string Deduplicate { get; init; } = "auto";

    /// <summary>The job's name, for logs (records would print every field).</summary>
    public override string ToString() => $"FrozenJob {Name}";
}

/// <summary>One variant applied while freezing.</summary>
/// <param name="Job">The job name of the variant (a parent's name for inherited levels).</param>
/// <param name="Project">The project whose configuration holds the variant.</param>
/// <param name="Branch">The branch it was read from.</param>
/// <param name="File">The file, relative to the project root.</param>
/// <param name="Line">1-based line of the definition.</param>
/// <param name="Kind"><c>job</c> for a layout variant, <c>project-pipeline</c> for a project-local one.</param>
public sealed record InheritanceStep(string Job, string Project, string Branch, string File, int Line, string Kind = "job")
{
    /// <summary>Zuul-like text: <c>job (project/file@branch#line)</c>.</summary>
    public override string ToString() => $"{Job} ({Project}/{File}@{Branch}#{Line}){(Kind == "job" ? "" : $" [{Kind}]")}";
}

/// <summary>A playbook with the context it runs in.</summary>
/// <param name="Path">Path in its project, e.g. <c>playbooks/base/pre.yaml</c>.</param>
/// <param name="Project">The project that holds the playbook (the project of the job definition that named it).</param>
/// <param name="Branch">The branch the definition was read from.</param>
/// <param name="Trusted">True when that project is a config project (runs unsandboxed).</param>
/// <param name="NestingLevel">0 for the base job's playbooks, +1 per inheritance level; post-runs of a level run only when its pre-runs did.</param>
/// <param name="Roles">Roles visible to this playbook: those defined up to the level that added it, child's first.</param>
/// <param name="Secrets">Secrets given to this playbook (bound to the level that declared them, or passed to parents).</param>
/// <param name="Semaphores">Semaphores held while this playbook runs.</param>
/// <param name="Cleanup">A post-run playbook that runs even when the build is canceled.</param>
public sealed record FrozenPlaybook(
    string Path,
    string Project,
    string Branch,
    bool Trusted,
    int NestingLevel,
    ImmutableArray<JobRole> Roles,
    ImmutableArray<PlaybookSecret> Secrets,
    ImmutableArray<string> Semaphores,
    bool Cleanup = false);

/// <summary>A role repository a job uses: <c>{zuul: project, name: alias}</c>.</summary>
/// <param name="Project">The project holding the role(s).</param>
/// <param name="Name">The name the role is known by (the project's short name when not given).</param>
public sealed record JobRole(string Project, string Name);

/// <summary>A secret given to a playbook; the data stays encrypted in the layout, only the name travels here.</summary>
/// <param name="Alias">The Ansible variable name the secret appears under.</param>
/// <param name="SecretName">The secret's name in the configuration.</param>
/// <param name="Project">The project that defines the secret (its key decrypts it).</param>
/// <param name="PassToParent">Given to parent playbooks too.</param>
public sealed record PlaybookSecret(string Alias, string SecretName, string Project, bool PassToParent = false);

/// <summary>A project the job checks out.</summary>
/// <param name="Name">The project name.</param>
/// <param name="OverrideCheckout">Branch or tag to check out instead of the item's branch.</param>
public sealed record RequiredProject(string Name, string? OverrideCheckout = null);

/// <summary>An <c>include-vars</c> entry.</summary>
/// <param name="Name">File name relative to the project root.</param>
/// <param name="Project">Project to read it from; null means the item's project (<c>zuul-project</c>).</param>
/// <param name="Required">A missing file is an error.</param>
/// <param name="UseRef">Read it at the item's ref rather than the branch head.</param>
public sealed record IncludeVarsFile(string Name, string? Project, bool Required = true, bool UseRef = true);

/// <summary>A dependency on another job of the same buildset.</summary>
/// <param name="Name">The job depended on.</param>
/// <param name="Soft">A soft dependency is ignored when that job does not run.</param>
public sealed record JobDependency(string Name, bool Soft = false);

/// <summary>A semaphore the job holds.</summary>
/// <param name="Name">The semaphore's name.</param>
/// <param name="ResourcesFirst">Acquire it only after nodes are provisioned.</param>
public sealed record JobSemaphore(string Name, bool ResourcesFirst = false);

/// <summary>A resolved nodeset: the nodes to request, their groups, and alternatives to try on node failure.</summary>
/// <param name="Name">The nodeset's name; null for an anonymous inline nodeset.</param>
/// <param name="Nodes">The nodes in order.</param>
/// <param name="Groups">Inventory groups.</param>
/// <param name="Alternatives">Nodesets to try in order (nested alternatives expanded in place, as Zuul does), this one first; empty when it is the only choice.</param>
public sealed record FrozenNodeset(
    string? Name,
    ImmutableArray<FrozenNode> Nodes,
    ImmutableArray<FrozenNodeGroup> Groups,
    ImmutableArray<FrozenNodeset> Alternatives)
{
    /// <summary>No nodes: the job runs on the executor only.</summary>
    public static readonly FrozenNodeset Empty = new(null, [], [], []);

    /// <summary>How many inventory hosts the nodes make (a node with several names is several hosts on one node).</summary>
    public int NodeCount => Nodes.Length;
}

/// <summary>A node of a nodeset.</summary>
/// <param name="Names">Inventory host names (several share one node).</param>
/// <param name="Label">The label to request from nodepool.</param>
public sealed record FrozenNode(ImmutableArray<string> Names, string Label);

/// <summary>An inventory group.</summary>
/// <param name="Name">Group name.</param>
/// <param name="Nodes">Node names in it.</param>
public sealed record FrozenNodeGroup(string Name, ImmutableArray<string> Nodes);

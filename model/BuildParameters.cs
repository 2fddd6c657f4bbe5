using System.Collections.Immutable;
using System.Text.Json;

namespace Gating.Model;

/// <summary>How required projects are laid out under <c>work/src</c>.</summary>
public enum WorkspaceScheme
{
    /// <summary><c>src/&lt;canonical hostname&gt;/&lt;project&gt;</c> (the default).</summary>
    Golang,
    /// <summary><c>src/&lt;short project name&gt;</c>.</summary>
    Flat,
    /// <summary><c>src/&lt;escaped hostname&gt;/&lt;escaped project&gt;</c>: one directory level per part, never nested.</summary>
    Unique,
}

/// <summary>A change (or ref) in the item's queue, as <c>zuul.items</c> and the workspace merge see it.</summary>
/// <param name="Project">The change's project.</param>
/// <param name="Merge">How the change is merged (ref, commit, mode).</param>
/// <param name="ChangeUrl">The change's web URL.</param>
/// <param name="Oldrev">For ref updates: the old sha.</param>
/// <param name="Newrev">For ref updates: the new sha.</param>
/// <param name="Topic">The change's topic.</param>
public sealed record BuildItem(
    BuildProject Project,
    MergeItem Merge,
    string? ChangeUrl = null,
    string? Oldrev = null,
    string? Newrev = null,
    string? Topic = null);

/// <summary>An artifact from a parent job (<c>zuul.artifacts</c>).</summary>
public sealed record BuildArtifact(string Name, string Url, string? Project = null, string? Change = null, string? Patchset = null, string? Job = null, JsonElement? Metadata = null);

/// <summary>
/// Everything an executor needs to run one build: the frozen job and the item, shaped like Zuul's build request
/// parameters (zuul.md 4.1/4.3). The nodes come separately (they are locked by the executor).
/// </summary>
public sealed record BuildParameters
{
    /// <summary>The build's uuid.</summary>
    public required string BuildId { get; init; }
    /// <summary>The buildset's uuid.</summary>
    public required string BuildSetId { get; init; }
    /// <summary>The tenant.</summary>
    public required string Tenant { get; init; }
    /// <summary>The pipeline.</summary>
    public required string Pipeline { get; init; }
    /// <summary>The job name.</summary>
    public required string Job { get; init; }
    /// <summary>The item's project.</summary>
    public required BuildProject Project { get; init; }
    /// <summary>The item's branch.</summary>
    public required string Branch { get; init; }
    /// <summary>The item's ref (for a change, its patchset ref).</summary>
    public string? Ref { get; init; }
    /// <summary>The change number, if the item is a change.</summary>
    public string? Change { get; init; }
    /// <summary>The patchset, if the item is a change.</summary>
    public string? Patchset { get; init; }
    /// <summary>The change's web URL.</summary>
    public string? ChangeUrl { get; init; }
    /// <summary>The change's commit message.</summary>
    public string? Message { get; init; }
    /// <summary>The item's changes and those it depends on, in queue order (merged again in the workspace).</summary>
    public ImmutableArray<BuildItem> Items { get; init; } = [];
    /// <summary>The frozen branch tips of the buildset.</summary>
    public MergeRepoState RepoState { get; init; } = MergeRepoState.Empty;
    /// <summary>The buildset's configured time (pins generated commits).</summary>
    public DateTimeOffset ConfiguredTime { get; init; }
    /// <summary>The job's required projects (besides the item's projects).</summary>
    public ImmutableArray<BuildProject> RequiredProjects { get; init; } = [];
    /// <summary>The job's <c>override-checkout</c>.</summary>
    public string? OverrideCheckout { get; init; }
    /// <summary>The workspace scheme.</summary>
    public WorkspaceScheme WorkspaceScheme { get; init; } = WorkspaceScheme.Golang;
    /// <summary>Pre-run playbooks, in order.</summary>
    public ImmutableArray<BuildPlaybook> PreRun { get; init; } = [];
    /// <summary>Run playbooks, in order.</summary>
    public ImmutableArray<BuildPlaybook> Run { get; init; } = [];
    /// <summary>Post-run playbooks, in order.</summary>
    public ImmutableArray<BuildPlaybook> PostRun { get; init; } = [];
    /// <summary>Cleanup playbooks (run even when the build is aborted).</summary>
    public ImmutableArray<BuildPlaybook> Cleanup { get; init; } = [];
    /// <summary>The timeout for pre-run and run together.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>The timeout for the pre-run playbooks (within <see cref="Timeout"/>).</summary>
    public TimeSpan? PreTimeout { get; init; }
    /// <summary>The timeout of each post-run playbook.</summary>
    public TimeSpan? PostTimeout { get; init; }
    /// <summary>Job variables (project vars already merged in by freezing).</summary>
    public JsonElement? Vars { get; init; }
    /// <summary>Job <c>extra-vars</c>.</summary>
    public JsonElement? ExtraVars { get; init; }
    /// <summary>The job's <c>include-vars</c> files, in order (read by the executor from the workspace).</summary>
    public ImmutableArray<IncludeVarsFile> IncludeVars { get; init; } = [];
    /// <summary><c>host-vars</c>: host name -> variables.</summary>
    public ImmutableDictionary<string, JsonElement> HostVars { get; init; } = ImmutableDictionary<string, JsonElement>.Empty;
    /// <summary><c>group-vars</c>: group name -> variables.</summary>
    public ImmutableDictionary<string, JsonElement> GroupVars { get; init; } = ImmutableDictionary<string, JsonElement>.Empty;
    /// <summary>
    /// The nodeset's nodes as the node request was fulfilled: names, label and the node's id in nodepool's store
    /// (<c>/nodepool/nodes/&lt;id&gt;</c>). The executor locks each node and reads its connection details there.
    /// </summary>
    public ImmutableArray<BuildNodeRef> Nodes { get; init; } = [];
    /// <summary>The nodeset's groups.</summary>
    public ImmutableArray<BuildNodeGroup> Groups { get; init; } = [];
    /// <summary><c>zuul_return</c> data of parent jobs (lowest precedence).</summary>
    public JsonElement? ParentData { get; init; }
    /// <summary><c>zuul_return</c> secret data of parent jobs (passed like secrets).</summary>
    public JsonElement? SecretParentData { get; init; }
    /// <summary>Artifacts of parent jobs.</summary>
    public ImmutableArray<BuildArtifact> Artifacts { get; init; } = [];
    /// <summary>Names of the jobs that depend on this one.</summary>
    public ImmutableArray<string> ChildJobs { get; init; } = [];
    /// <summary>1-based attempt number.</summary>
    public int Attempts { get; init; } = 1;
    /// <summary>Attempts allowed.</summary>
    public int MaxAttempts { get; init; } = 3;
    /// <summary>Whether the job votes.</summary>
    public bool Voting { get; init; } = true;
    /// <summary>Whether the pipeline is post-review.</summary>
    public bool PostReview { get; init; }
    /// <summary>Job tags.</summary>
    public ImmutableArray<string> JobTags { get; init; } = [];
    /// <summary>The event that caused the item to be enqueued.</summary>
    public string? EventId { get; init; }
    /// <summary>The job's inheritance path (for debugging).</summary>
    public ImmutableArray<string> InheritancePath { get; init; } = [];
}

/// <summary>One node of a build's nodeset.</summary>
/// <param name="Names">The node's names in the nodeset (inventory host names).</param>
/// <param name="Label">The label requested.</param>
/// <param name="NodeId">The node's id in nodepool's store.</param>
public sealed record BuildNodeRef(ImmutableArray<string> Names, string Label, string NodeId);

using System.Collections.Immutable;
using Gating.Config.Yaml;

namespace Gating.Config.Model;

/// <summary>
/// One <c>job</c> stanza (a definition or a variant of a job), or a project-pipeline local variant. Every
/// attribute is nullable: null means "not set here", which matters because variants and children apply only the
/// attributes they set (reference §2.4). Free-form values (vars) keep their YAML tree with locations.
/// </summary>
public sealed record JobConfig
{
    /// <summary><c>name</c> (required).</summary>
    public required string Name { get; init; }
    /// <summary>Where the stanza starts.</summary>
    public required SourceLocation Location { get; init; }
    /// <summary>Where it was defined (project, branch, trust, implied branches).</summary>
    public required SourceContext Source { get; init; }
    /// <summary>The attribute names written in this stanza (so freezing knows what a variant sets).</summary>
    public ImmutableHashSet<string> SetAttributes { get; init; } = [];
    /// <summary><c>!inherit</c>/<c>!override</c> per attribute name, when tagged.</summary>
    public ImmutableDictionary<string, OverrideControl> OverrideControls { get; init; } = ImmutableDictionary<string, OverrideControl>.Empty;

    /// <summary><c>parent</c>; null when not given (tenant default parent) or given as null (see <see cref="IsBaseJob"/>).</summary>
    public string? Parent { get; init; }
    /// <summary>Location of the <c>parent</c> value.</summary>
    public SourceLocation? ParentLocation { get; init; }
    /// <summary>True for <c>parent: null</c>: a base job (config projects only, unless allow-base-jobs).</summary>
    public bool IsBaseJob { get; init; }
    /// <summary><c>description</c>.</summary>
    public string? Description { get; init; }
    /// <summary><c>variant-description</c>.</summary>
    public string? VariantDescription { get; init; }
    /// <summary><c>abstract</c>.</summary>
    public bool? Abstract { get; init; }
    /// <summary><c>final</c>.</summary>
    public bool? Final { get; init; }
    /// <summary><c>protected</c>.</summary>
    public bool? Protected { get; init; }
    /// <summary><c>intermediate</c>.</summary>
    public bool? Intermediate { get; init; }
    /// <summary><c>attribute-control</c>: attribute name → final.</summary>
    public ImmutableDictionary<string, bool>? AttributeControl { get; init; }

    /// <summary><c>success-message</c>.</summary>
    public string? SuccessMessage { get; init; }
    /// <summary><c>failure-message</c>.</summary>
    public string? FailureMessage { get; init; }
    /// <summary><c>success-url</c>.</summary>
    public string? SuccessUrl { get; init; }
    /// <summary><c>failure-url</c> (deprecated).</summary>
    public string? FailureUrl { get; init; }
    /// <summary><c>voting</c>.</summary>
    public bool? Voting { get; init; }
    /// <summary><c>hold-following-changes</c>.</summary>
    public bool? HoldFollowingChanges { get; init; }

    /// <summary><c>branches</c> (explicit branch matchers; not inherited).</summary>
    public ImmutableArray<RegexMatcher>? Branches { get; init; }
    /// <summary><c>files</c>.</summary>
    public ImmutableArray<RegexMatcher>? Files { get; init; }
    /// <summary><c>irrelevant-files</c>.</summary>
    public ImmutableArray<RegexMatcher>? IrrelevantFiles { get; init; }
    /// <summary><c>match-on-config-updates</c>.</summary>
    public bool? MatchOnConfigUpdates { get; init; }

    /// <summary><c>nodeset</c>: a name or an inline nodeset.</summary>
    public NodesetRef? Nodeset { get; init; }
    /// <summary><c>pre-run</c>.</summary>
    public ImmutableArray<PlaybookRef>? PreRun { get; init; }
    /// <summary><c>run</c>.</summary>
    public ImmutableArray<PlaybookRef>? Run { get; init; }
    /// <summary><c>post-run</c>.</summary>
    public ImmutableArray<PlaybookRef>? PostRun { get; init; }
    /// <summary><c>cleanup-run</c> (deprecated).</summary>
    public ImmutableArray<PlaybookRef>? CleanupRun { get; init; }
    /// <summary><c>timeout</c> in seconds.</summary>
    public int? Timeout { get; init; }
    /// <summary><c>pre-timeout</c> in seconds.</summary>
    public int? PreTimeout { get; init; }
    /// <summary><c>post-timeout</c> in seconds.</summary>
    public int? PostTimeout { get; init; }
    /// <summary><c>attempts</c>.</summary>
    public int? Attempts { get; init; }
    /// <summary><c>roles</c>.</summary>
    public ImmutableArray<RoleRef>? Roles { get; init; }
    /// <summary><c>required-projects</c>.</summary>
    public ImmutableArray<RequiredProjectRef>? RequiredProjects { get; init; }
    /// <summary><c>override-checkout</c>.</summary>
    public string? OverrideCheckout { get; init; }
    /// <summary><c>override-branch</c> (deprecated).</summary>
    public string? OverrideBranch { get; init; }
    /// <summary><c>ansible-version</c> (as text; <c>'11'</c> or <c>9</c> both read as "11"/"9").</summary>
    public string? AnsibleVersion { get; init; }
    /// <summary><c>ansible-split-streams</c>.</summary>
    public bool? AnsibleSplitStreams { get; init; }
    /// <summary><c>workspace-scheme</c>: golang, flat or unique.</summary>
    public string? WorkspaceScheme { get; init; }
    /// <summary><c>workspace-checkout</c>: "true", "false" or "auto".</summary>
    public string? WorkspaceCheckout { get; init; }
    /// <summary><c>failure-output</c> regexes.</summary>
    public ImmutableArray<string>? FailureOutput { get; init; }
    /// <summary><c>deduplicate</c>: "auto", "true" or "false".</summary>
    public string? Deduplicate { get; init; }
    /// <summary><c>image-build-name</c>.</summary>
    public string? ImageBuildName { get; init; }

    /// <summary><c>vars</c> (a mapping).</summary>
    public YamlMapping? Vars { get; init; }
    /// <summary><c>extra-vars</c>.</summary>
    public YamlMapping? ExtraVars { get; init; }
    /// <summary><c>host-vars</c>: node name → mapping.</summary>
    public YamlMapping? HostVars { get; init; }
    /// <summary><c>group-vars</c>: group name → mapping.</summary>
    public YamlMapping? GroupVars { get; init; }
    /// <summary><c>include-vars</c>.</summary>
    public ImmutableArray<IncludeVarsRef>? IncludeVars { get; init; }

    /// <summary><c>secrets</c>.</summary>
    public ImmutableArray<SecretUse>? Secrets { get; init; }
    /// <summary><c>post-review</c>.</summary>
    public bool? PostReview { get; init; }
    /// <summary><c>allowed-projects</c>.</summary>
    public ImmutableArray<string>? AllowedProjects { get; init; }
    /// <summary><c>semaphores</c> (and the deprecated <c>semaphore</c>).</summary>
    public ImmutableArray<SemaphoreUse>? Semaphores { get; init; }

    /// <summary><c>dependencies</c>.</summary>
    public ImmutableArray<JobDependency>? Dependencies { get; init; }
    /// <summary><c>provides</c>.</summary>
    public ImmutableArray<string>? Provides { get; init; }
    /// <summary><c>requires</c>.</summary>
    public ImmutableArray<string>? Requires { get; init; }
    /// <summary><c>tags</c>.</summary>
    public ImmutableArray<string>? Tags { get; init; }

    /// <summary>The branch matchers that decide whether this variant applies: explicit <see cref="Branches"/>,
    /// else the implied ones of its source (empty: all branches).</summary>
    public ImmutableArray<RegexMatcher> EffectiveBranchMatchers =>
        Branches ?? (Source.HasImpliedBranches ? Source.ImpliedBranches : []);
}

using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Model;

namespace Gating.Config.Freezing;

/// <summary>What to freeze for: a change (or ref) of a project on a branch, in a pipeline.</summary>
/// <param name="Project">The item's project (as the tenant names it).</param>
/// <param name="Branch">The item's branch.</param>
/// <param name="Pipeline">The pipeline; null to freeze a job with no project-pipeline variants.</param>
/// <param name="Files">Files the change touches; null for a ref without a file list (file matchers are then ignored).</param>
public sealed record FreezeRequest(string Project, string Branch, string? Pipeline, ImmutableArray<string>? Files = null);

/// <summary>The outcome of freezing one job.</summary>
/// <param name="Job">The frozen job, or null when it could not be frozen (see <paramref name="Errors"/>) or does not run.</param>
/// <param name="MatchesFiles">False when the change's files do not match the job's file matchers.</param>
/// <param name="Errors">Configuration errors; any error means the job (and Zuul's item) cannot run.</param>
/// <param name="Debug">Why the job does not run when that is not an error (no matching variant...), as Zuul's item debug.</param>
public sealed record FreezeJobResult(FrozenJob? Job, bool MatchesFiles, ImmutableArray<ConfigError> Errors, ImmutableArray<string> Debug)
{
    /// <summary>True when the job was frozen without errors.</summary>
    public bool Ok => Job is not null && Errors.All(e => !e.IsError);
}

/// <summary>The job graph of one item with the problems found while building it.</summary>
/// <param name="Graph">Jobs that run and their dependency edges.</param>
/// <param name="Errors">Configuration errors (missing hard dependency, cycle, abstract job...): the item reports them.</param>
/// <param name="Debug">Why listed jobs were left out (no matching variant, files did not match).</param>
/// <param name="Pipeline">Project-pipeline settings: whether any stanza named the pipeline, debug and fail-fast.</param>
public sealed record JobGraphResult(JobGraph Graph, ImmutableArray<ConfigError> Errors, ImmutableArray<string> Debug, ProjectPipelineSettings Pipeline)
{
    /// <summary>True when no error was found.</summary>
    public bool Ok => Errors.All(e => !e.IsError);
}

/// <summary>The per-item settings a project's pipeline sections give.</summary>
/// <param name="InPipeline">True when any matching project stanza or template has a section for the pipeline.</param>
/// <param name="Debug">Any section set <c>debug: true</c>.</param>
/// <param name="FailFast">Any section set <c>fail-fast: true</c>.</param>
public sealed record ProjectPipelineSettings(bool InPipeline, bool Debug, bool FailFast);

/// <summary>Error codes freezing adds to those of <see cref="ConfigErrorCodes"/> (documented in docs/freezing.md).</summary>
public static class FreezeErrorCodes
{
    /// <summary>A job inherits from itself through its parents.</summary>
    public const string InheritanceCycle = "inheritance-cycle";
    /// <summary>A job's name or a parent has no variant matching the branch.</summary>
    public const string NoMatchingVariant = "no-matching-variant";
    /// <summary>A variant or child changes a final job.</summary>
    public const string FinalJob = "final-job";
    /// <summary>A variant changes an attribute that <c>attribute-control</c> made final.</summary>
    public const string FinalAttribute = "final-attribute";
    /// <summary>Another project inherits from or varies a protected job, or resets <c>protected</c>.</summary>
    public const string ProtectedJob = "protected-job";
    /// <summary>A non-abstract job inherits from an intermediate job.</summary>
    public const string IntermediateJob = "intermediate-job";
    /// <summary>An abstract job would run.</summary>
    public const string AbstractJob = "abstract-job";
    /// <summary>The project is not in the job's <c>allowed-projects</c>.</summary>
    public const string ProjectNotAllowed = "project-not-allowed";
    /// <summary>A post-review job in a pre-review pipeline.</summary>
    public const string PostReviewJob = "post-review-job";
    /// <summary>The job has no <c>run</c> playbook.</summary>
    public const string NoRunPlaybook = "no-run-playbook";
    /// <summary>The nodeset has more nodes than the tenant's <c>max-nodes-per-job</c>.</summary>
    public const string MaxNodesPerJob = "max-nodes-per-job";
    /// <summary>A timeout exceeds the tenant's <c>max-job-timeout</c>, or pre-timeout exceeds timeout.</summary>
    public const string MaxJobTimeout = "max-job-timeout";
    /// <summary>A node label the tenant does not allow.</summary>
    public const string LabelNotAllowed = "label-not-allowed";
    /// <summary>A semaphore used both by the job and by one of its playbooks.</summary>
    public const string SemaphoreConflict = "semaphore-conflict";
    /// <summary>A hard dependency on a job that does not run for the item.</summary>
    public const string MissingDependency = "missing-dependency";
    /// <summary>Job dependencies form a cycle.</summary>
    public const string JobCycle = "job-cycle";
}

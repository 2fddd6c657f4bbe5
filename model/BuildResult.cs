using System.Collections.Immutable;
using System.Text.Json;

namespace Gating.Model;

/// <summary>How a build ended (Zuul's build results; <see cref="Retry"/> is Zuul's null result).</summary>
public enum BuildOutcome
{
    /// <summary>Every playbook succeeded.</summary>
    Success,
    /// <summary>A run playbook failed.</summary>
    Failure,
    /// <summary>A post-run playbook failed (or timed out).</summary>
    PostFailure,
    /// <summary>Pre-run and run together ran past the timeout.</summary>
    TimedOut,
    /// <summary>The build could not run (bad playbook, sandbox refusal); see the error detail.</summary>
    Error,
    /// <summary>Cancelled or the executor shut down.</summary>
    Aborted,
    /// <summary>A pre-run failure, an unreachable node or a transient error: the scheduler retries the build.</summary>
    Retry,
    /// <summary>The item's changes did not merge in the workspace.</summary>
    MergeConflict,
}

/// <summary>A task that failed, for saying why a build failed.</summary>
public sealed record BuildTaskFailure(string Playbook, string Task, string Host, string Message);

/// <summary>The result of a build (what Zuul's BuildCompletedEvent carries).</summary>
public sealed record BuildResult
{
    /// <summary>How the build ended.</summary>
    public required BuildOutcome Outcome { get; init; }
    /// <summary>Zuul's result string: SUCCESS, FAILURE, POST_FAILURE, TIMED_OUT, ERROR, ABORTED, MERGE_CONFLICT; null for a retry.</summary>
    public string? ResultName => Outcome switch
    {
        BuildOutcome.Success => "SUCCESS",
        BuildOutcome.Failure => "FAILURE",
        BuildOutcome.PostFailure => "POST_FAILURE",
        BuildOutcome.TimedOut => "TIMED_OUT",
        BuildOutcome.Error => "ERROR",
        BuildOutcome.Aborted => "ABORTED",
        BuildOutcome.MergeConflict => "MERGE_CONFLICT",
        _ => null,
    };
    /// <summary><c>zuul_return</c> data (for child jobs).</summary>
    public JsonElement? Data { get; init; }
    /// <summary><c>zuul_return</c> secret data (for child jobs, like secrets).</summary>
    public JsonElement? SecretData { get; init; }
    /// <summary>Warnings from <c>zuul_return</c> and the executor.</summary>
    public ImmutableArray<string> Warnings { get; init; } = [];
    /// <summary>Why the build is ERROR (or retried), for the user.</summary>
    public string? ErrorDetail { get; init; }
    /// <summary>True when a node was unreachable.</summary>
    public bool Unreachable { get; init; }
    /// <summary>The tasks that failed.</summary>
    public ImmutableArray<BuildTaskFailure> FailedTasks { get; init; } = [];
    /// <summary>The log URL from <c>zuul_return</c> (<c>zuul.log_url</c>).</summary>
    public string? LogUrl { get; init; }
    /// <summary>Artifacts from <c>zuul_return</c> (<c>zuul.artifacts</c>).</summary>
    public ImmutableArray<BuildArtifact> Artifacts { get; init; } = [];
    /// <summary>The child jobs to run (<c>zuul.child_jobs</c>); null to run all.</summary>
    public ImmutableArray<string>? ChildJobs { get; init; }
    /// <summary>False when <c>zuul_return</c> said <c>zuul.retry: false</c>.</summary>
    public bool RetryAllowed { get; init; } = true;
    /// <summary>When the build started.</summary>
    public DateTimeOffset StartTime { get; init; }
    /// <summary>When the build ended.</summary>
    public DateTimeOffset EndTime { get; init; }
    /// <summary>The directory holding job-output.txt and job-output.json.</summary>
    public string? LogDirectory { get; init; }
}

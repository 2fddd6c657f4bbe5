using System.Collections.Immutable;
using Gating.Config.Yaml;

namespace Gating.Config.Model;

/// <summary>The pipeline managers.</summary>
public enum PipelineManagerKind
{
    /// <summary>Each item alone (check).</summary>
    Independent,
    /// <summary>Shared speculative queues (gate).</summary>
    Dependent,
    /// <summary>One item at a time per queue.</summary>
    Serial,
    /// <summary>Newest item per project and ref wins (post).</summary>
    Supercedent,
}

/// <summary><c>precedence</c>.</summary>
public enum PipelinePrecedence
{
    /// <summary>Build precedence 100.</summary>
    High,
    /// <summary>Build precedence 200 (default).</summary>
    Normal,
    /// <summary>Build precedence 300.</summary>
    Low,
}

/// <summary>A connection-keyed section (trigger, require, reject, reporter): the driver config kept as YAML.</summary>
/// <param name="Connection">Connection name (e.g. <c>gerrit</c>, <c>timer</c>, <c>smtp</c>).</param>
/// <param name="Value">The driver-specific config (a list of event filters, a mapping...).</param>
/// <param name="Location">Where the connection key is written.</param>
public sealed record ConnectionSection(string Connection, YamlNode Value, SourceLocation Location);

/// <summary>Window settings of a (dependent) pipeline.</summary>
public sealed record PipelineWindow(
    int Window = 20,
    int Floor = 3,
    int? Ceiling = null,
    string IncreaseType = "linear",
    int IncreaseFactor = 1,
    string DecreaseType = "exponential",
    int DecreaseFactor = 2);

/// <summary>A <c>pipeline</c> stanza with every attribute of reference §2.3.</summary>
public sealed record PipelineConfig
{
    /// <summary><c>name</c>.</summary>
    public required string Name { get; init; }
    /// <summary><c>manager</c>.</summary>
    public required PipelineManagerKind Manager { get; init; }
    /// <summary><c>description</c>.</summary>
    public string? Description { get; init; }
    /// <summary><c>variant-description</c>.</summary>
    public string? VariantDescription { get; init; }
    /// <summary><c>post-review</c>.</summary>
    public bool PostReview { get; init; }
    /// <summary><c>success-message</c>.</summary>
    public string SuccessMessage { get; init; } = "Build successful.";
    /// <summary><c>failure-message</c>.</summary>
    public string FailureMessage { get; init; } = "Build failed.";
    /// <summary><c>start-message</c>.</summary>
    public string StartMessage { get; init; } = "Starting {pipeline.name} jobs.";
    /// <summary><c>enqueue-message</c>.</summary>
    public string EnqueueMessage { get; init; } = "";
    /// <summary><c>merge-conflict-message</c> (old name <c>merge-failure-message</c>).</summary>
    public string MergeConflictMessage { get; init; } = "Merge failed.";
    /// <summary><c>no-jobs-message</c>.</summary>
    public string NoJobsMessage { get; init; } = "";
    /// <summary><c>dequeue-message</c>.</summary>
    public string DequeueMessage { get; init; } = "Build canceled.";
    /// <summary><c>footer-message</c>.</summary>
    public string? FooterMessage { get; init; }
    /// <summary><c>trigger</c>.</summary>
    public ImmutableArray<ConnectionSection> Trigger { get; init; } = [];
    /// <summary><c>require</c>.</summary>
    public ImmutableArray<ConnectionSection> Require { get; init; } = [];
    /// <summary><c>reject</c>.</summary>
    public ImmutableArray<ConnectionSection> Reject { get; init; } = [];
    /// <summary><c>allow-other-connections</c>.</summary>
    public bool AllowOtherConnections { get; init; } = true;
    /// <summary><c>supercedes</c>, with locations.</summary>
    public ImmutableArray<(string Name, SourceLocation Location)> Supercedes { get; init; } = [];
    /// <summary><c>dequeue-on-new-patchset</c>.</summary>
    public bool DequeueOnNewPatchset { get; init; } = true;
    /// <summary><c>ignore-dependencies</c>.</summary>
    public bool IgnoreDependencies { get; init; }
    /// <summary><c>precedence</c>.</summary>
    public PipelinePrecedence Precedence { get; init; } = PipelinePrecedence.Normal;
    /// <summary>Reporter sections by action (<c>enqueue</c>, <c>start</c>, <c>success</c>, <c>failure</c>,
    /// <c>merge-conflict</c>, <c>config-error</c>, <c>no-jobs</c>, <c>disabled</c>, <c>dequeue</c>).</summary>
    public ImmutableDictionary<string, ImmutableArray<ConnectionSection>> Reporters { get; init; } =
        ImmutableDictionary<string, ImmutableArray<ConnectionSection>>.Empty;
    /// <summary><c>disable-after-consecutive-failures</c>.</summary>
    public int? DisableAfterConsecutiveFailures { get; init; }
    /// <summary>Window settings.</summary>
    public PipelineWindow Window { get; init; } = new();
    /// <summary>Where the stanza starts.</summary>
    public required SourceLocation Location { get; init; }
    /// <summary>Where it was defined.</summary>
    public required SourceContext Source { get; init; }

    /// <summary>The reporter action names a pipeline may have.</summary>
    public static readonly ImmutableArray<string> ReporterActions =
        ["enqueue", "start", "success", "failure", "merge-conflict", "config-error", "no-jobs", "disabled", "dequeue"];
}

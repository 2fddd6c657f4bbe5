using System.Collections.Immutable;
using Gating.Config.Model;
using Gating.Model;

namespace Gating.Scheduler.Pipelines;

/// <summary>The shared change queue a project belongs to (from the project's <c>queue</c> and the queue stanza).</summary>
/// <param name="Name">Queue name.</param>
/// <param name="PerBranch">One queue instance per branch.</param>
/// <param name="AllowCircularDependencies">Cycles may be enqueued as one item.</param>
public sealed record ProjectQueue(string Name, bool PerBranch = false, bool AllowCircularDependencies = false);

/// <summary>The pipeline's settings that the core acts on (reference §2.3), independent of how they were parsed.</summary>
public sealed record PipelineSettings
{
    /// <summary>Pipeline name.</summary>
    public required string Name { get; init; }

    /// <summary>The manager.</summary>
    public required PipelineManagerKind Manager { get; init; }

    /// <summary><c>success-message</c>.</summary>
    public string SuccessMessage { get; init; } = "Build successful.";
    /// <summary><c>failure-message</c>.</summary>
    public string FailureMessage { get; init; } = "Build failed.";
    /// <summary><c>start-message</c>.</summary>
    public string StartMessage { get; init; } = "Starting {pipeline.name} jobs.";
    /// <summary><c>enqueue-message</c>.</summary>
    public string EnqueueMessage { get; init; } = "";
    /// <summary><c>merge-conflict-message</c>.</summary>
    public string MergeConflictMessage { get; init; } = "Merge failed.";
    /// <summary><c>no-jobs-message</c>.</summary>
    public string NoJobsMessage { get; init; } = "";
    /// <summary><c>dequeue-message</c>.</summary>
    public string DequeueMessage { get; init; } = "Build canceled.";
    /// <summary><c>footer-message</c>.</summary>
    public string? FooterMessage { get; init; }

    /// <summary>Reporter actions that have reporters configured (<c>start</c>, <c>success</c>, ...).</summary>
    public ImmutableHashSet<string> ReporterActions { get; init; } = ["success", "failure"];

    /// <summary><c>dequeue-on-new-patchset</c>.</summary>
    public bool DequeueOnNewPatchset { get; init; } = true;

    /// <summary><c>ignore-dependencies</c> (independent only).</summary>
    public bool IgnoreDependencies { get; init; }

    /// <summary><c>supercedes</c>: pipelines to remove an enqueued change from.</summary>
    public ImmutableArray<string> Supercedes { get; init; } = [];

    /// <summary>Build request precedence: 100 high, 200 normal, 300 low.</summary>
    public int Precedence { get; init; } = 200;

    /// <summary>Window settings for dependent queues.</summary>
    public WindowSettings Window { get; init; } = new();

    /// <summary><c>disable-after-consecutive-failures</c>.</summary>
    public int? DisableAfterConsecutiveFailures { get; init; }

    /// <summary>The tenant's <c>max-changes-per-pipeline</c>.</summary>
    public int? MaxChangesPerPipeline { get; init; }

    /// <summary>Web root for item URLs (<c>{root}/buildset/{id}</c>); none when null.</summary>
    public string? WebRoot { get; init; }

    /// <summary>Settings from a parsed pipeline stanza.</summary>
    public static PipelineSettings From(PipelineConfig config, int? maxChangesPerPipeline = null, string? webRoot = null) => new()
    {
        Name = config.Name,
        Manager = config.Manager,
        SuccessMessage = config.SuccessMessage,
        FailureMessage = config.FailureMessage,
        StartMessage = config.StartMessage,
        EnqueueMessage = config.EnqueueMessage,
        MergeConflictMessage = config.MergeConflictMessage,
        NoJobsMessage = config.NoJobsMessage,
        DequeueMessage = config.DequeueMessage,
        FooterMessage = config.FooterMessage,
        ReporterActions = config.Reporters.Where(r => !r.Value.IsDefaultOrEmpty).Select(r => r.Key).ToImmutableHashSet(),
        DequeueOnNewPatchset = config.DequeueOnNewPatchset,
        IgnoreDependencies = config.IgnoreDependencies,
        Supercedes = config.Supercedes.Select(s => s.Name).ToImmutableArray(),
        Precedence = config.Precedence switch { PipelinePrecedence.High => 100, PipelinePrecedence.Low => 300, _ => 200 },
        Window = new WindowSettings(
            config.Window.Window,
            config.Window.Floor,
            config.Window.Ceiling,
            config.Window.IncreaseType == "exponential" ? WindowType.Exponential : WindowType.Linear,
            config.Window.IncreaseFactor,
            config.Window.DecreaseType == "linear" ? WindowType.Linear : WindowType.Exponential,
            config.Window.DecreaseFactor),
        DisableAfterConsecutiveFailures = config.DisableAfterConsecutiveFailures,
        MaxChangesPerPipeline = maxChangesPerPipeline,
        WebRoot = webRoot,
    };
}

/// <summary>
/// What the core may ask about the world, as pure functions of the current layout and change cache: the
/// pipeline's settings, which queue a project is in, whether a change meets <c>require</c>/<c>reject</c>,
/// and semaphore limits. The runtime builds one per layout.
/// </summary>
public sealed record PipelineContext
{
    /// <summary>The pipeline settings.</summary>
    public required PipelineSettings Settings { get; init; }

    /// <summary>The shared queue of a project, or null (the project gets its own queue).</summary>
    public Func<string, ProjectQueue?> QueueOf { get; init; } = _ => null;

    /// <summary>The pipeline's <c>require</c>/<c>reject</c> filters for a change (re-checked every pass).</summary>
    public Func<Change, bool> MeetsRequirements { get; init; } = _ => true;

    /// <summary>A semaphore's <c>max</c> (1 for undefined ones).</summary>
    public Func<string, int> SemaphoreMax { get; init; } = _ => 1;

    /// <summary>Holders of a semaphore outside this pipeline (other pipelines of the tenant).</summary>
    public Func<string, int> ExternalSemaphoreHolders { get; init; } = _ => 0;

    /// <summary>Prefix of every id the pipeline hands out, unique per pipeline (e.g. tenant and pipeline name).</summary>
    public string IdPrefix { get; init; } = "";

    /// <summary>A context with default answers around <paramref name="settings"/>.</summary>
    public static PipelineContext For(PipelineSettings settings) => new() { Settings = settings };
}

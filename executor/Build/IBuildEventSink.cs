using Gating.Model;

namespace Gating.Executor.Build;

/// <summary>
/// Where a running build reports its progress. The queue adapter (later) turns these into ZooKeeper result events;
/// tests record them.
/// </summary>
public interface IBuildEventSink
{
    /// <summary>The build started (before the workspace is prepared).</summary>
    Task StartedAsync(ExecutorBuildStarted started, CancellationToken cancellationToken);

    /// <summary>The workspace is ready; the log can be followed.</summary>
    Task StatusAsync(ExecutorBuildStatus status, CancellationToken cancellationToken);

    /// <summary>The build paused after its run phase; the returned task completes when it may resume (post-run).</summary>
    Task PausedAsync(ExecutorBuildPaused paused, CancellationToken cancellationToken);
}

/// <summary>A sink that ignores events and resumes paused builds at once.</summary>
public sealed class NullBuildEventSink : IBuildEventSink
{
    /// <summary>The shared instance.</summary>
    public static NullBuildEventSink Instance { get; } = new();

    /// <inheritdoc />
    public Task StartedAsync(ExecutorBuildStarted started, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StatusAsync(ExecutorBuildStatus status, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task PausedAsync(ExecutorBuildPaused paused, CancellationToken cancellationToken) => Task.CompletedTask;
}

using Microsoft.Extensions.Logging;

namespace Gating.Executor.Server;

/// <summary>The executor server's log messages (stable event ids).</summary>
internal static partial class ExecutorLog
{
    [LoggerMessage(5001, LogLevel.Information, "Executor {Hostname} serving {Queues}")]
    public static partial void Serving(ILogger log, string hostname, string queues);

    [LoggerMessage(5002, LogLevel.Information, "Build {BuildId} starting: job {Job}, attempt {Attempt}")]
    public static partial void BuildStarting(ILogger log, string buildId, string job, int attempt);

    [LoggerMessage(5003, LogLevel.Information, "Build {BuildId} completed: {Result}")]
    public static partial void BuildCompleted(ILogger log, string buildId, string result);

    [LoggerMessage(5004, LogLevel.Warning, "Build {BuildId}: the request's lock was lost; nothing is reported (the build will be retried)")]
    public static partial void LockLost(ILogger log, string buildId);

    [LoggerMessage(5005, LogLevel.Information, "Build {BuildId}: cancel requested")]
    public static partial void BuildCancelled(ILogger log, string buildId);

    [LoggerMessage(5006, LogLevel.Information, "Not accepting builds: {Reason}")]
    public static partial void NotAccepting(ILogger log, string reason);

    [LoggerMessage(5007, LogLevel.Information, "Accepting builds again")]
    public static partial void Accepting(ILogger log);

    [LoggerMessage(5008, LogLevel.Warning, "Request {Uuid} in {Queue} was orphaned by a dead worker: {Action}")]
    public static partial void Orphan(ILogger log, string uuid, string queue, string action);

    [LoggerMessage(5009, LogLevel.Information, "Merge request {Uuid} ({JobType}) completed{Error}")]
    public static partial void MergeCompleted(ILogger log, string uuid, string jobType, string error);

    [LoggerMessage(5010, LogLevel.Error, "The executor loop failed; retrying")]
    public static partial void LoopFailed(ILogger log, Exception exception);

    [LoggerMessage(5012, LogLevel.Error, "Build {BuildId} failed in the executor")]
    public static partial void BuildFailed(ILogger log, string buildId, Exception exception);

    [LoggerMessage(5013, LogLevel.Error, "A build or merge task of the executor failed")]
    public static partial void TaskFailed(ILogger log, Exception exception);

    [LoggerMessage(5011, LogLevel.Information, "Executor {Hostname} stopping: aborting {Count} running builds")]
    public static partial void Stopping(ILogger log, string hostname, int count);
}

namespace Gating.Model;

/// <summary>Where one build of a job stands in its buildset.</summary>
public enum BuildState
{
    /// <summary>Not requested yet: waiting for dependencies, semaphores, the window or items ahead.</summary>
    Waiting,
    /// <summary>Nodes requested from nodepool.</summary>
    NodesRequested,
    /// <summary>Nodes provisioned, build not yet requested (e.g. waiting for a resources-first semaphore).</summary>
    NodesReady,
    /// <summary>Build request submitted to the executors.</summary>
    Requested,
    /// <summary>An executor started it.</summary>
    Running,
    /// <summary>The build paused itself (<c>zuul_return: {zuul: {pause: true}}</c>); its children may run.</summary>
    Paused,
    /// <summary>Finished with a result.</summary>
    Completed,
}

/// <summary>Zuul's build and buildset result strings (reference §3.12).</summary>
public static class BuildResults
{
    /// <summary>Run playbooks succeeded.</summary>
    public const string Success = "SUCCESS";
    /// <summary>A run playbook failed.</summary>
    public const string Failure = "FAILURE";
    /// <summary>A post-run playbook failed.</summary>
    public const string PostFailure = "POST_FAILURE";
    /// <summary>Run exceeded the timeout.</summary>
    public const string TimedOut = "TIMED_OUT";
    /// <summary>Transient failure; rerun (history only).</summary>
    public const string Retry = "RETRY";
    /// <summary>Retries exhausted.</summary>
    public const string RetryLimit = "RETRY_LIMIT";
    /// <summary>Nodes could not be provided.</summary>
    public const string NodeFailure = "NODE_FAILURE";
    /// <summary>Not run: a dependency failed or was skipped, or child_jobs excluded it.</summary>
    public const string Skipped = "SKIPPED";
    /// <summary>The executor stopped the job; retried.</summary>
    public const string Aborted = "ABORTED";
    /// <summary>The scheduler cancelled it.</summary>
    public const string Canceled = "CANCELED";
    /// <summary>Executor-side error.</summary>
    public const string Error = "ERROR";
    /// <summary>Item: the speculative merge failed.</summary>
    public const string MergeConflict = "MERGE_CONFLICT";
    /// <summary>Item: reported success but the submit did not land.</summary>
    public const string MergeFailure = "MERGE_FAILURE";
    /// <summary>Item: invalid configuration.</summary>
    public const string ConfigError = "CONFIG_ERROR";
    /// <summary>Item: no jobs to run.</summary>
    public const string NoJobs = "NO_JOBS";
    /// <summary>Item: removed without a result.</summary>
    public const string Dequeued = "DEQUEUED";
}

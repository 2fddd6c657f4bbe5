namespace Gating.Model.Requests;

/// <summary>
/// The request data (the <c>TData</c> of coordination's <c>JobRequestQueue</c>) of a build request in
/// <c>ZkPaths.ExecutorQueue(zone)</c>. The request's uuid is the build id; its params blob is the
/// <see cref="BuildParameters"/> as JSON with <c>ModelJson.Options</c>. The executor reports progress and the
/// result as <c>build-started</c>/<c>build-paused</c>/<c>build-completed</c> result events
/// (<c>ResultEventJson</c>) on <c>ZkPaths.PipelineResultEvents(Tenant, Pipeline)</c>; the completed event is put
/// in the same multi that completes the request.
/// </summary>
/// <param name="BuildSetId">The buildset.</param>
/// <param name="Job">The job name.</param>
/// <param name="Tenant">The tenant.</param>
/// <param name="Pipeline">The pipeline whose result queue gets the events.</param>
/// <param name="EventId">The triggering event's id, for tracing.</param>
/// <param name="Zone">The executor zone, or null.</param>
public sealed record BuildRequestData(
    string BuildSetId,
    string Job,
    string Tenant,
    string Pipeline,
    string? EventId = null,
    string? Zone = null);

/// <summary>The merger job types (Zuul's merger API).</summary>
public enum MergeJobType
{
    /// <summary><see cref="MergeRequest"/> -> <see cref="MergeResult"/>.</summary>
    Merge,
    /// <summary><see cref="CatRequest"/> -> <see cref="MergeFiles"/>.</summary>
    Cat,
    /// <summary><see cref="RefStateRequest"/> -> <see cref="MergeRepoState"/>.</summary>
    RefState,
    /// <summary><see cref="FilesChangesRequest"/> -> the list of changed paths (JSON array of strings).</summary>
    FilesChanges,
}

/// <summary>
/// The request data of a merger request in <c>ZkPaths.MergerQueue</c>. The params blob is the request record of
/// <see cref="JobType"/> as JSON with <c>ModelJson.Options</c>; the worker stores the result record (see
/// <see cref="MergeJobType"/>) as the request's result data. When <see cref="Tenant"/> and <see cref="Pipeline"/>
/// are set, the worker also puts a <c>merge-job-completed</c> result event
/// (<see cref="Events.MergeJobCompletedEvent"/>) on that pipeline's result queue in the completing multi.
/// </summary>
/// <param name="JobType">What to do.</param>
/// <param name="Tenant">The tenant, when a pipeline waits for the result.</param>
/// <param name="Pipeline">The pipeline, when a pipeline waits for the result.</param>
/// <param name="BuildSetId">The buildset the merge is for.</param>
/// <param name="EventId">The triggering event's id, for tracing.</param>
public sealed record MergeRequestData(
    MergeJobType JobType,
    string? Tenant = null,
    string? Pipeline = null,
    string? BuildSetId = null,
    string? EventId = null);

using Gating.Coordination;
using Gating.Executor.Build;
using Gating.Model;
using Gating.Model.Json;
using Gating.Model.Requests;

namespace Gating.Executor.Server;

/// <summary>
/// The runner's reports as ZooKeeper writes: started -> build-started on the pipeline's result queue; paused -> the
/// request set <c>paused</c>, build-paused, then wait for the requestor's resume signal and go back to running.
/// </summary>
internal sealed class QueueEventSink : IBuildEventSink
{
    private readonly JobRequestQueue<BuildRequestData> _queue;
    private readonly LockedJobRequest<BuildRequestData> _locked;
    private readonly EventQueue _results;
    private readonly string? _eventId;

    public QueueEventSink(JobRequestQueue<BuildRequestData> queue, LockedJobRequest<BuildRequestData> locked, EventQueue results, string? eventId)
    {
        _queue = queue;
        _locked = locked;
        _results = results;
        _eventId = eventId;
    }

    public async Task StartedAsync(ExecutorBuildStarted started, CancellationToken cancellationToken) =>
        await _results.PutAsync(ResultEventJson.Serialize(new Model.Events.BuildStartedEvent(_locked.Uuid) { EventId = _eventId }), cancellationToken)
            .ConfigureAwait(false);

    public Task StatusAsync(ExecutorBuildStatus status, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task PausedAsync(ExecutorBuildPaused paused, CancellationToken cancellationToken)
    {
        await _queue.PauseAsync(_locked, cancellationToken).ConfigureAwait(false);
        await _results.PutAsync(ResultEventJson.Serialize(ResultEvents.Paused(paused with { BuildId = _locked.Uuid }, _eventId)), cancellationToken)
            .ConfigureAwait(false);
        // A cancel while paused cancels the token: the wait throws and the build ends ABORTED after its cleanup.
        await _queue.WaitForSignalAsync(_locked.Uuid, JobSignal.Resume, cancellationToken).ConfigureAwait(false);
        await _queue.ResumeAsync(_locked, cancellationToken).ConfigureAwait(false);
    }
}

using System.Text.Json;
using Gating.Coordination;
using Gating.Executor.Build;
using Gating.Model;
using Gating.Model.Events;
using Gating.Model.Json;
using Gating.Model.Requests;
using Gating.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gating.Executor.Server;

/// <summary>
/// One build request this executor has locked (zuul.md 4.1 steps 2-6): read the parameters, mark it running, lock
/// the nodes, run the build while watching for the cancel signal and for the loss of the lock, return the nodes, and
/// complete the request with the build-completed event in the same multi. Parameters stay until completion (unlike
/// Zuul) so that a request orphaned by a dead executor can run again elsewhere.
/// </summary>
internal sealed class BuildJob
{
    private readonly IZooKeeper _zk;
    private readonly JobRequestQueue<BuildRequestData> _queue;
    private readonly LockedJobRequest<BuildRequestData> _locked;
    private readonly BuildRunner _runner;
    private readonly ExecutorServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _abort = new();

    public BuildJob(IZooKeeper zk, JobRequestQueue<BuildRequestData> queue, LockedJobRequest<BuildRequestData> locked, BuildRunner runner,
        ExecutorServerOptions options, TimeProvider time, ILogger log)
    {
        _zk = zk;
        _queue = queue;
        _locked = locked;
        _runner = runner;
        _options = options;
        _time = time;
        _log = log;
    }

    public string BuildId => _locked.Uuid;

    /// <summary>Aborts the build (executor shutdown): it completes ABORTED after its cleanup playbooks.</summary>
    public void Abort() => _abort.Cancel();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var data = _locked.Request.Data;
        var results = new EventQueue(_zk, ZkPaths.PipelineResultEvents(data.Tenant, data.Pipeline));
        try
        {
            await using (_locked)
            {
                await results.EnsureAsync(cancellationToken).ConfigureAwait(false);
                var completed = await RunBuildAsync(results, cancellationToken).ConfigureAwait(false);
                if (completed is null)
                {
                    return; // lost the lock: the request belongs to whoever cleans it up now
                }
                await CompleteAsync(results, completed, CancellationToken.None).ConfigureAwait(false);
                ExecutorLog.BuildCompleted(_log, BuildId, completed.Result ?? "RETRY");
            }
            await _zk.DeleteTreeAsync(_queue.ParamsPath(BuildId), CancellationToken.None).ConfigureAwait(false);
        }
        catch (LockLostException)
        {
            ExecutorLog.LockLost(_log, BuildId);
        }
        catch (ZooKeeperException e) when (e.Code is ErrorCode.SessionExpired or ErrorCode.ClientClosed or ErrorCode.ConnectionLoss)
        {
            ExecutorLog.LockLost(_log, BuildId);
        }
        finally
        {
            _abort.Dispose();
        }
    }

    /// <summary>The completion event, or null when the lock was lost and nothing may be submitted.</summary>
    private async Task<BuildCompletedEvent?> RunBuildAsync(EventQueue results, CancellationToken cancellationToken)
    {
        var eventId = _locked.Request.Data.EventId;
        BuildParameters parameters;
        try
        {
            var bytes = await _queue.ReadParamsAsync(BuildId, cancellationToken).ConfigureAwait(false);
            parameters = ModelJson.Deserialize<BuildParameters>(bytes) with { BuildId = BuildId };
        }
        catch (JsonException e)
        {
            return ResultEvents.Failed(BuildId, "ERROR", $"The build request's parameters are not valid: {e.Message}", eventId);
        }
        await _queue.UpdateAsync(_locked, r => r with
        {
            State = JobRequestState.Running,
            WorkerInfo = new JobWorker(_options.Hostname, null, _options.Zone),
        }, [], cancellationToken).ConfigureAwait(false);
        ExecutorLog.BuildStarting(_log, BuildId, parameters.Job, parameters.Attempts);

        // A retry on this machine (same job root) must not see the dead attempt's files.
        var leftover = Path.Combine(Path.GetFullPath(_runner.JobRoot), BuildId);
        if (Directory.Exists(leftover))
        {
            Directory.Delete(leftover, recursive: true);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abort.Token, _locked.Lock.LostToken);
        using var watchCancel = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var cancelWatch = WatchCancelAsync(stop, watchCancel.Token);
        try
        {
            BuildNodes nodes;
            try
            {
                nodes = await BuildNodes.AcquireAsync(_zk, parameters.Nodes, _time, stop.Token).ConfigureAwait(false);
            }
            catch (NodeUnavailableException e)
            {
                return ResultEvents.Failed(BuildId, null, e.Message, eventId);
            }
            BuildResult result;
            await using (nodes)
            {
                var sink = new QueueEventSink(_queue, _locked, results, eventId);
                try
                {
                    result = await _runner.RunAsync(parameters, nodes.Hosts, sink, stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or JsonException)
                {
                    // A fault of this executor (disk, permissions), not of the job: say so, and let the scheduler decide.
                    ExecutorLog.BuildFailed(_log, BuildId, e);
                    return _locked.Lock.IsLost ? null : ResultEvents.Failed(BuildId, "ERROR", $"The executor {_options.Hostname} failed to run the build: {e.Message}", eventId);
                }
            }
            return _locked.Lock.IsLost ? null : ResultEvents.Completed(BuildId, result, eventId);
        }
        finally
        {
            await watchCancel.CancelAsync().ConfigureAwait(false);
            await cancelWatch.ConfigureAwait(false);
        }
    }

    private async Task WatchCancelAsync(CancellationTokenSource stop, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.WaitForSignalAsync(BuildId, JobSignal.Cancel, cancellationToken).ConfigureAwait(false);
            ExecutorLog.BuildCancelled(_log, BuildId);
            await stop.CancelAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (ZooKeeperException)
        {
            // The session is in trouble; the lock's loss (if it comes) stops the build.
        }
    }

    private async Task CompleteAsync(EventQueue results, BuildCompletedEvent completed, CancellationToken cancellationToken)
    {
        var bytes = ResultEventJson.Serialize(completed);
        Op put;
        try
        {
            put = results.PutOp(bytes);
        }
        catch (ArgumentException)
        {
            // Too big for one znode (huge zuul_return data): the event goes first, on its own, through a side blob.
            await results.PutAsync(bytes, cancellationToken).ConfigureAwait(false);
            await _queue.CompleteAsync(_locked, ReadOnlyMemory<byte>.Empty, [], cancellationToken).ConfigureAwait(false);
            return;
        }
        await _queue.CompleteAsync(_locked, ReadOnlyMemory<byte>.Empty, [put], cancellationToken).ConfigureAwait(false);
    }
}

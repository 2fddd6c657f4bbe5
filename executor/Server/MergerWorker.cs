using System.Text.Json;
using System.Threading.Channels;
using Gating.Coordination;
using Gating.Executor.Git;
using Gating.Executor.Merger;
using Gating.Model;
using Gating.Model.Events;
using Gating.Model.Json;
using Gating.Model.Requests;
using Gating.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gating.Executor.Server;

/// <summary>
/// Serves the merger request queue (<see cref="ZkPaths.MergerQueue"/>) with a <see cref="MergeService"/>: lock the
/// next request, read its parameters (the request record of its job type), mark it running, do the job, and complete
/// it with the result record as result data plus, when the request names a pipeline, a merge-job-completed event in
/// the same multi. A job that cannot be done at all completes with the event's <c>Error</c> and no result data; a
/// merge conflict is a normal result (<see cref="MergeResult.Merged"/> false). Orphaned requests are requeued.
/// </summary>
internal sealed class MergerWorker
{
    private readonly IZooKeeper _zk;
    private readonly MergeService _merges;
    private readonly ExecutorServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly JobRequestQueue<MergeRequestData> _queue;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly List<Task> _running = [];

    public MergerWorker(IZooKeeper zk, MergeService merges, ExecutorServerOptions options, TimeProvider time, ILogger log)
    {
        _zk = zk;
        _merges = merges;
        _options = options;
        _time = time;
        _log = log;
        _queue = new JobRequestQueue<MergeRequestData>(zk, ZkPaths.MergerQueue, time);
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await using var watch = await _queue.WatchAsync(() => _wake.Writer.TryWrite(true), stoppingToken).ConfigureAwait(false);
        var lastScan = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_time.GetUtcNow() - lastScan >= _options.PollInterval)
                {
                    lastScan = _time.GetUtcNow();
                    await RequeueOrphansAsync(stoppingToken).ConfigureAwait(false);
                }
                _running.RemoveAll(t => t.IsCompleted);
                while (_running.Count < _options.MaxMerges
                    && await _queue.NextAvailableAsync(null, stoppingToken).ConfigureAwait(false) is { } locked)
                {
                    var task = Task.Run(() => RunOneAsync(locked), CancellationToken.None);
                    _running.Add(task);
                    _ = task.ContinueWith(t =>
                    {
                        if (t.Exception is { } e)
                        {
                            ExecutorLog.TaskFailed(_log, e);
                        }
                        _wake.Writer.TryWrite(true);
                    }, CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is ZooKeeperException or LockLostException)
            {
                ExecutorLog.LoopFailed(_log, e);
            }
            using var timeout = new CancellationTokenSource(_options.PollInterval, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
            try
            {
                await _wake.Reader.ReadAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        // Merges are short: let the running ones finish and report.
        await Task.WhenAll(_running).ConfigureAwait(false);
    }

    private async Task RunOneAsync(LockedJobRequest<MergeRequestData> locked)
    {
        var cancellationToken = locked.Lock.LostToken;
        var data = locked.Request.Data;
        try
        {
            await using (locked)
            {
                var parameters = await _queue.ReadParamsAsync(locked.Uuid, cancellationToken).ConfigureAwait(false);
                await _queue.UpdateAsync(locked, r => r with { State = JobRequestState.Running, WorkerInfo = new JobWorker(_options.Hostname, null, _options.Zone) },
                    [], cancellationToken).ConfigureAwait(false);
                byte[] result = [];
                string? error = null;
                try
                {
                    result = await DoJobAsync(data.JobType, parameters, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is JsonException or GitException or InvalidOperationException or IOException)
                {
                    error = $"The merger could not do the {data.JobType} job: {e.Message}";
                }
                var ops = new List<Op>();
                if (data.Tenant is not null && data.Pipeline is not null)
                {
                    var events = new EventQueue(_zk, ZkPaths.PipelineResultEvents(data.Tenant, data.Pipeline));
                    await events.EnsureAsync(cancellationToken).ConfigureAwait(false);
                    ops.Add(events.PutOp(ResultEventJson.Serialize(
                        new MergeJobCompletedEvent(locked.Uuid, data.JobType, data.BuildSetId, error) { EventId = data.EventId })));
                }
                await _queue.CompleteAsync(locked, result, ops, cancellationToken).ConfigureAwait(false);
                ExecutorLog.MergeCompleted(_log, locked.Uuid, data.JobType.ToString(), error is null ? "" : ": " + error);
            }
            await _zk.DeleteTreeAsync(_queue.ParamsPath(locked.Uuid), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LockLostException or OperationCanceledException
            || e is ZooKeeperException { Code: ErrorCode.SessionExpired or ErrorCode.ClientClosed or ErrorCode.ConnectionLoss })
        {
            ExecutorLog.LockLost(_log, locked.Uuid);
        }
    }

    private async Task<byte[]> DoJobAsync(MergeJobType type, byte[] parameters, CancellationToken cancellationToken) => type switch
    {
        MergeJobType.Merge => ModelJson.Serialize(await _merges.MergeAsync(ModelJson.Deserialize<MergeRequest>(parameters), cancellationToken).ConfigureAwait(false)),
        MergeJobType.Cat => ModelJson.Serialize(await _merges.CatAsync(ModelJson.Deserialize<CatRequest>(parameters), cancellationToken).ConfigureAwait(false)),
        MergeJobType.RefState => ModelJson.Serialize(await _merges.RefStateAsync(ModelJson.Deserialize<RefStateRequest>(parameters), cancellationToken).ConfigureAwait(false)),
        MergeJobType.FilesChanges => ModelJson.Serialize(await _merges.FilesChangesAsync(ModelJson.Deserialize<FilesChangesRequest>(parameters), cancellationToken).ConfigureAwait(false)),
        _ => throw new InvalidOperationException($"unknown merger job type {type}"),
    };

    private async Task RequeueOrphansAsync(CancellationToken cancellationToken)
    {
        foreach (var orphan in await _queue.GetOrphansAsync(cancellationToken).ConfigureAwait(false))
        {
            var locked = await _queue.TryLockAsync(orphan.Uuid, cancellationToken).ConfigureAwait(false);
            if (locked is null)
            {
                continue;
            }
            await using (locked)
            {
                if (locked.Request.State is JobRequestState.Running or JobRequestState.Paused)
                {
                    await _queue.RequeueAsync(locked, cancellationToken).ConfigureAwait(false);
                    ExecutorLog.Orphan(_log, locked.Uuid, _queue.Root, "requeued");
                }
            }
        }
        _wake.Writer.TryWrite(true);
    }
}

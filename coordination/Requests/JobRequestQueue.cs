using System.Text.Json;
using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>
/// Zuul's JobRequestQueue (reference/zuul.md sections 1.3 and 4.1), the queue of executor builds and merger jobs:
/// <code>
/// &lt;root&gt;/requests/&lt;uuid&gt;          request JSON (state, precedence, data, worker_info)
/// &lt;root&gt;/requests/&lt;uuid&gt;/cancel   signals from the requestor to the worker
/// &lt;root&gt;/requests/&lt;uuid&gt;/resume
/// &lt;root&gt;/locks/&lt;uuid&gt;             side-channel lock of the worker's session (outlives the request)
/// &lt;root&gt;/params/&lt;uuid&gt;            sharded parameters, deleted once the worker has read them
/// &lt;root&gt;/result-data/&lt;uuid&gt;       sharded result, then
/// &lt;root&gt;/results/&lt;uuid&gt;           a small "ready" marker written with the completion
/// &lt;root&gt;/waiters/&lt;uuid&gt;           ephemeral: the requestor is waiting for the result
/// </code>
/// Requestors submit, wait for results and cancel or resume; workers take the next available request in (precedence,
/// creation) order under the lock, move it through running/paused, and complete it. Every worker write checks the
/// worker still holds its lock in the same multi, so a worker that lost its session cannot overwrite a retry.
/// </summary>
public sealed partial class JobRequestQueue<TData>
{
    private readonly IZooKeeper _zk;
    private readonly TimeProvider _time;

    /// <param name="root">E.g. <see cref="ZkPaths.ExecutorQueue"/> or <see cref="ZkPaths.MergerQueue"/>.</param>
    public JobRequestQueue(IZooKeeper zk, string root, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(zk);
        ArgumentException.ThrowIfNullOrEmpty(root);
        _zk = zk;
        Root = root;
        _time = time ?? TimeProvider.System;
    }

    public string Root { get; }

    public string RequestsPath => Root + "/requests";

    public string RequestPath(string uuid) => $"{RequestsPath}/{uuid}";

    public string LockPath(string uuid) => $"{Root}/locks/{uuid}";

    public string ParamsPath(string uuid) => $"{Root}/params/{uuid}";

    public string ResultDataPath(string uuid) => $"{Root}/result-data/{uuid}";

    public string ResultPath(string uuid) => $"{Root}/results/{uuid}";

    public string WaiterPath(string uuid) => $"{Root}/waiters/{uuid}";

    private string SignalPath(string uuid, JobSignal signal) => $"{RequestPath(uuid)}/{(signal == JobSignal.Cancel ? "cancel" : "resume")}";

    /// <summary>
    /// Submits a request in state requested: parameters first (so a worker never sees a request without them), then
    /// the waiter marker when the caller will wait for a result, then the request itself.
    /// </summary>
    public async Task<JobRequest<TData>> SubmitAsync(JobRequest<TData> request, ReadOnlyMemory<byte> parameters, bool waitForResult,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.Uuid);
        if (!parameters.IsEmpty)
        {
            await new ShardedBlob(_zk).WriteAsync(ParamsPath(request.Uuid), parameters, ZooKeeperVersion.Any, cancellationToken);
        }
        if (waitForResult)
        {
            await _zk.CreateWithParentsAsync(WaiterPath(request.Uuid), default, CreateOptions.Ephemeral, cancellationToken);
        }
        var submitted = request with { State = JobRequestState.Requested, WorkerInfo = null };
        var created = await _zk.CreateWithParentsAsync(RequestPath(request.Uuid), Serialize(submitted), CreateOptions.Persistent, cancellationToken);
        return submitted with { Version = created.Stat.Version, Czxid = created.Stat.Czxid };
    }

    /// <summary>Reads one request, or null when it does not exist.</summary>
    public async Task<JobRequest<TData>?> GetAsync(string uuid, CancellationToken cancellationToken)
    {
        var node = await _zk.TryGetDataAsync(RequestPath(uuid), null, cancellationToken);
        return node is null ? null : Deserialize(node.Data, node.Stat);
    }

    /// <summary>Every request, in the order workers serve them: precedence, then creation.</summary>
    public async Task<IReadOnlyList<JobRequest<TData>>> GetRequestsAsync(CancellationToken cancellationToken)
    {
        // The reads are independent: issued together, the client pipelines them instead of waiting for each.
        var reads = (await _zk.TryGetChildrenAsync(RequestsPath, cancellationToken)).Select(uuid => GetAsync(uuid, cancellationToken)).ToList();
        var requests = (await Task.WhenAll(reads)).OfType<JobRequest<TData>>();
        return [.. requests.OrderBy(r => r.Precedence).ThenBy(r => r.Czxid).ThenBy(r => r.TransactionIndex ?? 0)];
    }

    /// <summary>
    /// Waits for the result of a request submitted with waitForResult. Returns the result bytes, or null when the
    /// request was removed without a result (cancelled, or lost and cleaned up).
    /// </summary>
    public async Task<byte[]?> WaitForResultAsync(string uuid, CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (await _zk.ExistsAsync(ResultPath(uuid), _ => changed.TrySetResult(), cancellationToken) is not null)
            {
                var content = await new ShardedBlob(_zk).ReadAsync(ResultDataPath(uuid), cancellationToken);
                return content?.Data ?? [];
            }
            if (await _zk.ExistsAsync(RequestPath(uuid), _ => changed.TrySetResult(), cancellationToken) is null)
            {
                // Gone: unless the result appeared just before the request went, there is none.
                if (await _zk.ExistsAsync(ResultPath(uuid), null, cancellationToken) is null)
                {
                    return null;
                }
                continue;
            }
            await changed.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Sends a signal to the worker of a request; false when the request is gone.</summary>
    public async Task<bool> SignalAsync(string uuid, JobSignal signal, CancellationToken cancellationToken)
    {
        try
        {
            await _zk.CreateAsync(SignalPath(uuid, signal), default, CreateOptions.Persistent, cancellationToken);
            return true;
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NodeExists)
        {
            return true;
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
        {
            return false;
        }
    }

    /// <summary>
    /// Cancels a request as Zuul's scheduler does: if no worker holds it, take its lock and complete it here without
    /// running; otherwise send the cancel signal and let the worker stop and complete it.
    /// </summary>
    public async Task<CancelOutcome> CancelAsync(string uuid, CancellationToken cancellationToken)
    {
        var request = await GetAsync(uuid, cancellationToken);
        if (request is null || request.State == JobRequestState.Completed)
        {
            return CancelOutcome.NotFound;
        }
        await using (var locked = await TryLockAsync(uuid, cancellationToken))
        {
            if (locked is not null)
            {
                if (locked.Request.State is JobRequestState.Requested or JobRequestState.Unsubmitted)
                {
                    await CompleteAsync(locked, ReadOnlyMemory<byte>.Empty, [], cancellationToken);
                    return CancelOutcome.CompletedBeforeStart;
                }
                if (locked.Request.State == JobRequestState.Completed)
                {
                    return CancelOutcome.NotFound;
                }
            }
        }
        return await SignalAsync(uuid, JobSignal.Cancel, cancellationToken) ? CancelOutcome.Signalled : CancelOutcome.NotFound;
    }

    internal static byte[] Serialize(JobRequest<TData> request) => JsonSerializer.SerializeToUtf8Bytes(request, JobRequestJson.Options);

    internal static JobRequest<TData> Deserialize(byte[] data, Stat stat) =>
        (JsonSerializer.Deserialize<JobRequest<TData>>(data, JobRequestJson.Options)
            ?? throw new InvalidDataException("a job request node holds null")) with { Version = stat.Version, Czxid = stat.Czxid };
}

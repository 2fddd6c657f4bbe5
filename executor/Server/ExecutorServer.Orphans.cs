using Gating.Coordination;
using Gating.Model;
using Gating.Model.Json;
using Gating.Model.Requests;
using Gating.ZooKeeper;

namespace Gating.Executor.Server;

public sealed partial class ExecutorServer
{
    /// <summary>
    /// Requests left running or paused by a worker whose session ended (its lock is gone). A build goes back to
    /// requested with its attempt count raised, so any executor runs it again; past its attempts (or without
    /// parameters) it is completed with a null result, which the scheduler treats as a retry (zuul.md 3.12) and
    /// limits. Every change is made under the request's lock, so two executors never recover the same request.
    /// </summary>
    private async Task RecoverOrphansAsync(CancellationToken cancellationToken)
    {
        foreach (var queue in BuildQueues)
        {
            foreach (var orphan in await queue.GetOrphansAsync(cancellationToken).ConfigureAwait(false))
            {
                var locked = await queue.TryLockAsync(orphan.Uuid, cancellationToken).ConfigureAwait(false);
                if (locked is null)
                {
                    continue;
                }
                await using (locked)
                {
                    if (locked.Request.State is not (JobRequestState.Running or JobRequestState.Paused))
                    {
                        continue;
                    }
                    await RecoverBuildAsync(queue, locked, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task RecoverBuildAsync(JobRequestQueue<BuildRequestData> queue, LockedJobRequest<BuildRequestData> locked, CancellationToken cancellationToken)
    {
        var bytes = await queue.ReadParamsAsync(locked.Uuid, cancellationToken).ConfigureAwait(false);
        BuildParameters? parameters = null;
        if (bytes.Length > 0)
        {
            try
            {
                parameters = ModelJson.Deserialize<BuildParameters>(bytes);
            }
            catch (System.Text.Json.JsonException)
            {
                // Unreadable: completed below as a retry, so the scheduler decides.
            }
        }
        if (parameters is not null && parameters.Attempts < parameters.MaxAttempts)
        {
            var retry = parameters with { Attempts = parameters.Attempts + 1 };
            await new ShardedBlob(_zk).WriteAsync(queue.ParamsPath(locked.Uuid), ModelJson.Serialize(retry), ZooKeeperVersion.Any, cancellationToken)
                .ConfigureAwait(false);
            await queue.RequeueAsync(locked, cancellationToken).ConfigureAwait(false);
            ExecutorLog.Orphan(_log, locked.Uuid, queue.Root, $"requeued as attempt {retry.Attempts}");
            Wake();
            return;
        }
        var data = locked.Request.Data;
        var results = new EventQueue(_zk, ZkPaths.PipelineResultEvents(data.Tenant, data.Pipeline));
        await results.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var completed = ResultEvents.Failed(locked.Uuid, null,
            $"The executor running the build ({locked.Request.WorkerInfo?.Hostname ?? "unknown"}) was lost", data.EventId);
        await queue.CompleteAsync(locked, ReadOnlyMemory<byte>.Empty, [results.PutOp(ResultEventJson.Serialize(completed))], cancellationToken)
            .ConfigureAwait(false);
        ExecutorLog.Orphan(_log, locked.Uuid, queue.Root, "completed for the scheduler to retry");
    }
}

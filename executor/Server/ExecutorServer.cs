using System.Collections.Concurrent;
using System.Threading.Channels;
using Gating.Coordination;
using Gating.Executor.Build;
using Gating.Executor.Merger;
using Gating.Model.Requests;
using Gating.ZooKeeper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gating.Executor.Server;

/// <summary>
/// The executor process's work loop (zuul.md 4.1): watches the build request queues of its zone (and the unzoned one
/// when allowed), takes requests in (precedence, creation) order while the <see cref="Governor"/> allows, runs each as
/// a <see cref="BuildJob"/>, serves merger requests with a <see cref="MergerWorker"/>, and requeues requests whose
/// worker died (lock gone, state running or paused) so another executor retries them. Stopping aborts the running
/// builds (ABORTED, after their cleanup playbooks) and completes them before returning.
/// </summary>
public sealed partial class ExecutorServer
{
    private readonly IZooKeeper _zk;
    private readonly ExecutorServerOptions _options;
    private readonly BuildRunner _runner;
    private readonly MergeService? _merges;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Governor _governor;
    private readonly ConcurrentDictionary<string, (BuildJob Job, Task Task)> _running = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private string? _notAccepting;

    /// <summary>Creates a server; <paramref name="merges"/> null means no merger requests are taken.</summary>
    public ExecutorServer(IZooKeeper zk, ExecutorServerOptions options, BuildRunner runner, MergeService? merges, TimeProvider time,
        ILoggerFactory? loggers = null, ISystemStats? stats = null)
    {
        _zk = zk;
        _options = options;
        _runner = runner;
        _merges = options.MergeJobs ? merges : null;
        _time = time;
        _log = (loggers ?? NullLoggerFactory.Instance).CreateLogger("Gating.Executor");
        _governor = new Governor(options.Governor, stats ?? new ProcSystemStats(), runner.JobRoot);
        BuildQueues = [.. QueueRoots(options).Select(root => new JobRequestQueue<BuildRequestData>(zk, root, time))];
    }

    /// <summary>The build request queues this executor serves: its zone's, and the unzoned one when allowed.</summary>
    public IReadOnlyList<JobRequestQueue<BuildRequestData>> BuildQueues { get; }

    /// <summary>The builds running now.</summary>
    public int RunningBuilds => _running.Count;

    /// <summary>Why the executor does not accept builds now, or null when it does.</summary>
    public string? NotAcceptingReason => _notAccepting;

    private static IEnumerable<string> QueueRoots(ExecutorServerOptions options)
    {
        if (options.Zone is { } zone)
        {
            yield return ZkPaths.ExecutorQueue(zone);
        }
        if (options.Zone is null || options.AllowUnzoned)
        {
            yield return ZkPaths.ExecutorQueue(null);
        }
    }

    /// <summary>Serves until <paramref name="stoppingToken"/> fires, then aborts and completes the running builds.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var watches = new List<IAsyncDisposable>();
        foreach (var queue in BuildQueues)
        {
            watches.Add(await queue.WatchAsync(Wake, stoppingToken).ConfigureAwait(false));
        }
        var component = await ComponentRegistration.RegisterAsync(_zk, _options, stoppingToken).ConfigureAwait(false);
        ExecutorLog.Serving(_log, _options.Hostname, string.Join(", ", BuildQueues.Select(q => q.Root)) + (_merges is null ? "" : ", " + ZkPaths.MergerQueue));
        var merger = _merges is null
            ? Task.CompletedTask
            : new MergerWorker(_zk, _merges, _options, _time, _log).RunAsync(stoppingToken);
        var lastScan = DateTimeOffset.MinValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (_time.GetUtcNow() - lastScan >= _options.PollInterval)
                    {
                        lastScan = _time.GetUtcNow();
                        await RecoverOrphansAsync(stoppingToken).ConfigureAwait(false);
                    }
                    await TakeBuildsAsync(component, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (e is ZooKeeperException or LockLostException or IOException)
                {
                    ExecutorLog.LoopFailed(_log, e);
                }
                await WaitForWakeAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ExecutorLog.Stopping(_log, _options.Hostname, _running.Count);
            foreach (var (job, _) in _running.Values)
            {
                job.Abort();
            }
            await Task.WhenAll(_running.Values.Select(r => r.Task)).ConfigureAwait(false);
            await merger.ConfigureAwait(false);
            foreach (var watch in watches)
            {
                await watch.DisposeAsync().ConfigureAwait(false);
            }
            await component.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    private async Task WaitForWakeAsync(CancellationToken stoppingToken)
    {
        using var timeout = new CancellationTokenSource(_options.PollInterval, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        try
        {
            await _wake.Reader.ReadAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Poll interval passed, or stopping: the loop condition decides.
        }
    }

    /// <summary>Starts builds while the governor allows and a requested build can be locked.</summary>
    private async Task TakeBuildsAsync(ComponentRegistration component, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var why = _governor.WhyNot(_running.Count);
            if (why != _notAccepting)
            {
                if (why is null)
                {
                    ExecutorLog.Accepting(_log);
                }
                else
                {
                    ExecutorLog.NotAccepting(_log, why);
                }
                _notAccepting = why;
                await component.SetAcceptingAsync(why is null, stoppingToken).ConfigureAwait(false);
            }
            if (why is not null)
            {
                return;
            }
            var locked = await NextBuildAsync(stoppingToken).ConfigureAwait(false);
            if (locked is null)
            {
                return;
            }
            var (queue, request) = locked.Value;
            var job = new BuildJob(_zk, queue, request, _runner, _options, _time, _log);
            // The job runs to completion on its own; shutdown aborts it through Abort, never by this token, so that
            // an aborted build is still completed.
            var task = Task.Run(() => job.RunAsync(CancellationToken.None), CancellationToken.None);
            _running[job.BuildId] = (job, task);
            _ = task.ContinueWith(t =>
            {
                if (t.Exception is { } e)
                {
                    ExecutorLog.TaskFailed(_log, e);
                }
                _running.TryRemove(job.BuildId, out var _);
                Wake();
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>The first requested build over all served queues in (precedence, creation) order that this executor
    /// could lock and that is still requested under the lock.</summary>
    private async Task<(JobRequestQueue<BuildRequestData>, LockedJobRequest<BuildRequestData>)?> NextBuildAsync(CancellationToken cancellationToken)
    {
        var candidates = new List<(JobRequestQueue<BuildRequestData> Queue, JobRequest<BuildRequestData> Request)>();
        foreach (var queue in BuildQueues)
        {
            foreach (var request in await queue.GetRequestsAsync(cancellationToken).ConfigureAwait(false))
            {
                if (request.State == JobRequestState.Requested && !_running.ContainsKey(request.Uuid))
                {
                    candidates.Add((queue, request));
                }
            }
        }
        foreach (var (queue, request) in candidates.OrderBy(c => c.Request.Precedence).ThenBy(c => c.Request.Czxid))
        {
            var locked = await queue.TryLockAsync(request.Uuid, cancellationToken).ConfigureAwait(false);
            if (locked is null)
            {
                continue;
            }
            if (locked.Request.State == JobRequestState.Requested)
            {
                return (queue, locked);
            }
            await locked.DisposeAsync().ConfigureAwait(false); // another executor ran it between the listing and the lock
        }
        return null;
    }
}

using System.Text.Json;
using Gating.Coordination;
using Gating.Model.Requests;
using Gating.Scheduler.State;
using Gating.ZooKeeper;

namespace Gating.Scheduler.Runtime;

/// <summary>
/// One scheduler instance for one tenant (reference §1.2): moves connection events to the tenant trigger queue,
/// matches them against the pipelines' triggers into pipeline queues, and processes each pipeline under its lock:
/// result, management, then trigger events through the pure core, the new state and its actions written as one
/// versioned record (state + outbox + consumed event positions), then the actions carried out idempotently and
/// the outbox cleared. Any number of instances may share a tenant; a killed instance leaves nothing that the next
/// one cannot finish.
/// <code>
/// connection queue -> tenant trigger queue -> pipeline trigger / management / result queues
///                                               | (pipeline lock)
///                                   record (state, outbox, consumed) -> actions -> merger, executors, nodes, reporters
/// </code>
/// </summary>
public sealed partial class Scheduler
{
    private readonly IZooKeeper _zk;
    private readonly SchedulerOptions _options;
    private readonly PipelineStateStore _store;
    private readonly JobRequestQueue<BuildRequestData> _executor;
    private readonly JobRequestQueue<MergeRequestData> _merger;
    private TenantRuntime? _tenant;

    /// <summary>Creates an instance on a ZooKeeper session.</summary>
    public Scheduler(IZooKeeper zk, SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(zk);
        ArgumentNullException.ThrowIfNull(options);
        _zk = zk;
        _options = options;
        _store = new PipelineStateStore(zk, where => options.Checkpoint?.Invoke(where));
        _executor = new JobRequestQueue<BuildRequestData>(zk, ZkPaths.ExecutorQueue(null), options.Time);
        _merger = new JobRequestQueue<MergeRequestData>(zk, ZkPaths.MergerQueue, options.Time);
    }

    /// <summary>The tenant's runtime view (after <see cref="StartAsync"/>).</summary>
    public TenantRuntime Tenant => _tenant ?? throw new InvalidOperationException("the scheduler is not started");

    /// <summary>Loads the layout.</summary>
    public async Task StartAsync(CancellationToken cancellationToken) =>
        _tenant = new TenantRuntime(await _options.LoadLayout(cancellationToken));

    /// <summary>Loads the layout again (tenant reconfiguration); queued items stay and are re-processed.</summary>
    public async Task ReconfigureAsync(CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken);
        foreach (var pipeline in Tenant.PipelineNames)
        {
            _reprocess.Add(pipeline);
        }
    }

    private readonly HashSet<string> _reprocess = [];

    /// <summary>Where this instance's time went, by phase (for benchmarks).</summary>
    public PassProfile Profile { get; } = new();

    /// <summary>Makes the next round run <paramref name="pipeline"/>'s queue processor even without events.</summary>
    public void RequestProcess(string pipeline) => _reprocess.Add(pipeline);

    /// <summary>
    /// One round: connection events, tenant trigger events, then every pipeline whose lock is free. True when
    /// anything was consumed or changed (the caller runs rounds until one returns false).
    /// </summary>
    public async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var t = PassProfile.Start();
        var did = await ForwardConnectionEventsAsync(cancellationToken);
        t = Profile.Add("connection-events", t);
        did |= await ProcessTenantEventsAsync(cancellationToken);
        Profile.Add("tenant-events", t);
        foreach (var pipeline in Tenant.PipelineNames)
        {
            did |= await ProcessPipelineAsync(pipeline, cancellationToken);
        }
        return did;
    }

    /// <summary>Runs rounds until cancelled, waiting on the event queues when a round found nothing to do.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (await RunOnceAsync(cancellationToken))
            {
                continue;
            }
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var waits = AllQueues().Select(q => q.WaitForEventsAsync(wake.Token)).ToList();
            try
            {
                await Task.WhenAny(waits).WaitAsync(cancellationToken);
            }
            finally
            {
                await wake.CancelAsync();
                await Task.WhenAll(waits.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
            }
        }
    }

    /// <summary>Every event queue this instance consumes.</summary>
    public IEnumerable<EventQueue> AllQueues()
    {
        foreach (var connection in ConnectionNames)
        {
            yield return new EventQueue(_zk, ZkPaths.ConnectionEvents(connection));
        }
        yield return new EventQueue(_zk, ZkPaths.TenantTriggerEvents(Tenant.Tenant));
        foreach (var p in Tenant.PipelineNames)
        {
            yield return new EventQueue(_zk, ZkPaths.PipelineResultEvents(Tenant.Tenant, p));
            yield return new EventQueue(_zk, ZkPaths.PipelineManagementEvents(Tenant.Tenant, p));
            yield return new EventQueue(_zk, ZkPaths.PipelineTriggerEvents(Tenant.Tenant, p));
        }
    }

    /// <summary>True when no event waits in any queue and no pipeline has an outbox to carry out.</summary>
    public async Task<bool> IsIdleAsync(CancellationToken cancellationToken)
    {
        foreach (var queue in AllQueues())
        {
            if (await queue.CountAsync(cancellationToken) > 0)
            {
                return false;
            }
        }
        foreach (var p in Tenant.PipelineNames)
        {
            var (record, _) = await _store.ReadAsync(Tenant.Tenant, p, cancellationToken);
            if (!record.Outbox.IsEmpty)
            {
                return false;
            }
        }
        return _reprocess.Count == 0;
    }

    /// <summary>The connections whose event queues this instance drains: every source, and the timer driver.</summary>
    public IEnumerable<string> ConnectionNames => _options.Sources.Keys.Append(TimerConnection).Distinct(StringComparer.Ordinal);

    /// <summary>The connection name timer events come on.</summary>
    public const string TimerConnection = "timer";

    private void Checkpoint(string where) => _options.Checkpoint?.Invoke(where);

    private static byte[] Json<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, SchedulerJson.Options);
}

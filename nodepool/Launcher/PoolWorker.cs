using System.Collections.Concurrent;
using System.Collections.Immutable;
using Gating.Coordination;
using Gating.Model;
using Gating.Nodepool.Config;
using Gating.Nodepool.Decisions;
using Gating.Nodepool.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gating.Nodepool.Launcher;

/// <summary>
/// One provider pool of a launcher (Nodepool's PoolWorker, reference/zuul.md 5.1-5.3). Each pass registers the
/// pool, tops up min-ready, looks at every requested request (<see cref="RequestDecider"/>: leave, defer,
/// decline, or accept), and starts a handler for each accepted one; <see cref="CleanupAsync"/> deletes used,
/// orphaned, expired and leaked nodes and puts lost requests back. Several launchers (sessions) share the work
/// through the request locks.
/// </summary>
public sealed partial class PoolWorker : IAsyncDisposable
{
    private readonly ProvidersConfig _config;
    private readonly ProviderConfig _provider;
    private readonly PoolConfig _pool;
    private readonly INodeProvider _nodeProvider;
    private readonly INodeStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RequestHandler _handler;
    private readonly ConcurrentDictionary<string, Task> _active = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly WakeSignal _wake = new();
    private readonly HashSet<string> _minReadyLabels;
    private int _disposed;

    /// <summary>Builds the worker of one pool.</summary>
    public PoolWorker(ProvidersConfig config, ProviderConfig provider, PoolConfig pool, INodeProvider nodeProvider, INodeStore store,
        string launcher, TimeProvider time, ILogger? logger = null)
    {
        _config = config;
        _provider = provider;
        // The provider's own capacity (static: its slots) caps the pool, so requests wait in the decider's
        // quota check instead of racing for the last slot and being released over and over.
        _pool = nodeProvider.Quota.MaxServers is { } capacity && (pool.MaxServers is null || pool.MaxServers > capacity)
            ? pool with { MaxServers = capacity }
            : pool;
        _nodeProvider = nodeProvider;
        _store = store;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _handler = new RequestHandler(nodeProvider, provider, _pool, store, launcher, time, _logger);
        // One pool makes the min-ready requests of a label (any pool may fulfil them), so launchers don't race.
        _minReadyLabels = _pool.Labels.Select(l => l.Name)
            .Where(l => config.Label(l) is { MinReady: > 0 })
            .Where(l => config.Pools().First(p => p.Pool.Label(l) is not null) is var first && first.Provider.Name == provider.Name && first.Pool.Name == pool.Name)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The pool's id.</summary>
    public PoolId Id => new(_provider.Name, _pool.Name);

    /// <summary>Requests being handled now.</summary>
    public int ActiveHandlers => _active.Count;

    /// <summary>Completes when every handler running now has finished.</summary>
    public Task IdleAsync() => Task.WhenAll(_active.Values);

    /// <summary>Registers the pool (its labels and priority) for the other pools' decisions.</summary>
    public Task RegisterAsync(CancellationToken cancellationToken) =>
        _store.RegisterPoolAsync(new PoolView(Id, _pool.Priority ?? _provider.Priority, [.. _pool.Labels.Select(l => l.Name)]), cancellationToken);

    /// <summary>One full pass: register, min-ready, assign requests, clean up.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await RegisterAsync(cancellationToken);
        await MinReadyAsync(cancellationToken);
        await AssignAsync(cancellationToken);
        await CleanupAsync(cancellationToken);
    }

    /// <summary>Runs passes until cancelled: on every change of requests or nodes, and at least every <paramref name="interval"/>.</summary>
    public Task RunAsync(TimeSpan interval, CancellationToken cancellationToken) =>
        RunAsync(new PoolWorkerTimings { SafetyNet = interval }, cancellationToken);

    /// <summary>Looks at every requested request once; returns how many this pool accepted.</summary>
    public async Task<int> AssignAsync(CancellationToken cancellationToken)
    {
        var requests = await _store.RequestsAsync(cancellationToken);
        var pools = await _store.PoolsAsync(cancellationToken);
        var accepted = 0;
        foreach (var request in RequestDecider.Order(requests.Where(r => r.State == NodeRequestState.Requested), _pool))
        {
            // Fresh nodes each time: the requests accepted just before wrote their building records.
            var snapshot = new PoolSnapshot(_provider, _pool, pools, await _store.NodesAsync(cancellationToken))
            {
                ActiveHandlers = _active.Count,
                TenantLimits = _config.TenantResourceLimits,
            };
            var decision = RequestDecider.Decide(request, snapshot);
            LogDecision(_logger, request.Id, Id.ToString(), decision.GetType().Name, decision.Reason);
            switch (decision)
            {
                case RequestDecision.Decline:
                    await DeclineAsync(request.Id, pools, cancellationToken);
                    break;
                case RequestDecision.Accept accept when await AcceptAsync(request.Id, accept.Plan, pools, cancellationToken):
                    accepted++;
                    break;
            }
        }

        return accepted;
    }

    /// <summary>Submits min-ready requests for the labels of which this pool is the first provider.</summary>
    public async Task<int> MinReadyAsync(CancellationToken cancellationToken)
    {
        var mine = _minReadyLabels;
        // Requests before nodes: a min-ready request frees its nodes before it is deleted, so whatever moment the
        // two reads straddle, its stock is counted (at worst twice, which only delays a top-up to the next pass).
        var requests = await _store.RequestsAsync(cancellationToken);
        var nodes = await _store.NodesAsync(cancellationToken);
        var shortfall = ReadyNodes.MinReadyShortfall(_config, nodes, requests).Where(mine.Contains).ToList();
        foreach (var label in shortfall)
        {
            await _store.SubmitRequestAsync(ReadyNodes.MinReadyRequest(label, _time.GetUtcNow()), cancellationToken);
        }

        return shortfall.Count;
    }

    private async Task<bool> AcceptAsync(string requestId, ImmutableArray<NodeStep> plan, ImmutableArray<PoolView> pools, CancellationToken cancellationToken)
    {
        var requestLock = await _store.TryLockRequestAsync(requestId, cancellationToken);
        if (requestLock is null)
        {
            return false; // another launcher took it
        }

        try
        {
            // Compare-and-set: the requestor may have changed the request (relative priority) or withdrawn it.
            var now = _time.GetUtcNow();
            var pending = await _store.UpdateRequestAsync(requestId,
                r => r.State == NodeRequestState.Requested ? r with { State = NodeRequestState.Pending, StateTime = now } : null, cancellationToken);
            if (pending is null)
            {
                await requestLock.DisposeAsync();
                return false;
            }

            var prepared = await _handler.PrepareAsync(pending, plan, cancellationToken);
            _active[requestId] = Task.Run(() => CompleteAsync(prepared, requestLock, pools), CancellationToken.None);
            return true;
        }
        catch
        {
            await requestLock.DisposeAsync();
            throw;
        }
    }

    private async Task CompleteAsync(PreparedRequest prepared, IAsyncDisposable requestLock, ImmutableArray<PoolView> pools)
    {
        // Stop when the launcher stops, or when the request's lock is lost (the session went): another launcher owns it now.
        using var stop = requestLock is LockHandle handle
            ? CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, handle.LostToken)
            : CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var cancellationToken = stop.Token;
        try
        {
            var final = await _handler.CompleteAsync(prepared, pools, cancellationToken);
            if (final.State == NodeRequestState.Fulfilled && final.IsMinReady)
            {
                // A min-ready request only makes stock: its nodes become free ready nodes.
                await FreeNodesAsync(final.Id, final.NodeIds, cancellationToken);
                await _store.DeleteRequestAsync(final.Id, cancellationToken);
            }
            else if (await _store.UpdateRequestAsync(final.Id, current => current with
                {
                    State = final.State,
                    StateTime = final.StateTime,
                    NodeIds = final.NodeIds,
                    DeclinedBy = final.DeclinedBy,
                }, cancellationToken) is null && final.State == NodeRequestState.Fulfilled)
            {
                await FreeNodesAsync(final.Id, final.NodeIds, cancellationToken); // the requestor went away meanwhile
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogHandlerFailed(_logger, prepared.Request.Id, Id.ToString(), e);
        }
        catch (OperationCanceledException)
        {
            // The launcher stops; the lock goes and another launcher's cleanup puts the request back.
        }
        finally
        {
            await requestLock.DisposeAsync();
            _active.TryRemove(prepared.Request.Id, out _);
            _wake.Set(); // quota freed, a paused pool may go on
        }
    }

    private async Task FreeNodesAsync(string requestId, IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        foreach (var id in ids)
        {
            await _store.UpdateNodeAsync(id, n => n.AllocatedTo == requestId ? n with { AllocatedTo = null } : null, cancellationToken);
        }
    }

    private async Task DeclineAsync(string requestId, ImmutableArray<PoolView> pools, CancellationToken cancellationToken)
    {
        await using var requestLock = await _store.TryLockRequestAsync(requestId, cancellationToken);
        if (requestLock is null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        await _store.UpdateRequestAsync(requestId,
            r => r.State == NodeRequestState.Requested && !r.DeclinedBy.Contains(Id.ToString()) ? RequestDecider.Declined(r, Id, pools, now) : null,
            cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        await Task.WhenAll(_active.Values);
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Debug, Message = "Request {Request} in {Pool}: {Decision} ({Reason})")]
    private static partial void LogDecision(ILogger logger, string request, string pool, string decision, string reason);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Error, Message = "Handling request {Request} in {Pool} failed")]
    private static partial void LogHandlerFailed(ILogger logger, string request, string pool, Exception error);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Error, Message = "A pass of pool {Pool} failed")]
    private static partial void LogPassFailed(ILogger logger, string pool, Exception error);
}

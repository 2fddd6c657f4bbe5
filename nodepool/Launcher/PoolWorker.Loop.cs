using Microsoft.Extensions.Logging;

namespace Gating.Nodepool.Launcher;

/// <summary>
/// The running pool worker: two loops on one watch, as Nodepool runs a PoolWorker and a CleanupWorker.
/// <code>
/// watch (requests/, nodes/) ─┬─▶ request loop: [register] assign, min-ready ──▶ wait: change | handler done | safety net
///                            └─▶ cleanup loop: cleanup, stale locks ─▶ wait: change | safety net ─▶ cleanup interval
/// </code>
/// They share nothing but the store, whose locks and compare-and-set writes keep them apart; a request never
/// waits behind a cleanup (which lists the provider's instances).
/// </summary>
public sealed partial class PoolWorker
{
    /// <summary>
    /// Runs until cancelled: a request pass on every change of requests or nodes, when a handler of this pool
    /// finishes, and at the latest after <see cref="PoolWorkerTimings.SafetyNet"/> (a watch event missed while
    /// disconnected); a cleanup at start, then <see cref="PoolWorkerTimings.Cleanup"/> after a change (or the safety net).
    /// </summary>
    public async Task RunAsync(PoolWorkerTimings timings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timings);
        var cleanupWake = new WakeSignal();
        await using var watch = await _store.WatchAsync(() =>
        {
            _wake.Set();
            cleanupWake.Set();
        }, cancellationToken);
        await Task.WhenAll(RequestLoopAsync(timings, cancellationToken), CleanupLoopAsync(cleanupWake, timings, cancellationToken));
    }

    private async Task RequestLoopAsync(PoolWorkerTimings timings, CancellationToken cancellationToken)
    {
        var register = true; // the registration is ephemeral: written once, refreshed when the loop has been quiet
        while (!cancellationToken.IsCancellationRequested)
        {
            _wake.Reset();
            try
            {
                if (register)
                {
                    await RegisterAsync(cancellationToken);
                    register = false;
                }

                // Requests first: a waiting request should not wait for min-ready's reads.
                await AssignAsync(cancellationToken);
                if (_minReadyLabels.Count > 0)
                {
                    await MinReadyAsync(cancellationToken);
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogPassFailed(_logger, Id.ToString(), e);
            }

            register = !await _wake.WaitAsync(timings.SafetyNet, _time, cancellationToken);
        }
    }

    private async Task CleanupLoopAsync(WakeSignal wake, PoolWorkerTimings timings, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            wake.Reset();
            try
            {
                await CleanupAsync(cancellationToken);
                await _store.RemoveStaleLocksAsync(cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogCleanupFailed(_logger, Id.ToString(), e);
            }

            // After a change, let the burst it belongs to (a build returning its nodes) settle into one cleanup.
            await wake.WaitAsync(timings.SafetyNet, _time, cancellationToken);
            await Task.Delay(timings.Cleanup, _time, cancellationToken);
        }
    }

    [LoggerMessage(EventId = 4304, Level = LogLevel.Error, Message = "A cleanup of pool {Pool} failed")]
    private static partial void LogCleanupFailed(ILogger logger, string pool, Exception error);
}

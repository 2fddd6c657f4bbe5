using System.Collections.Immutable;
using System.Text.Json;
using Gating.Coordination;
using Gating.Model;
using Gating.Model.Events;
using Gating.Model.Json;
using Gating.Model.Requests;
using Gating.Testing.Scenarios;
using Gating.ZooKeeper;

namespace Gating.Testing.Fakes;

/// <summary>
/// An executor that runs nothing: it takes real build requests from the executor queue (the contract of
/// model/Requests), reports build-started, and completes each build with the outcome the test chose, unless the
/// build is held. It records every build with the changes it was tested with. Driven step by step by
/// <see cref="RunOnceAsync"/>, so a test decides when work happens.
/// </summary>
public sealed class RecordingExecutor
{
    private readonly IZooKeeper _zk;
    private readonly JobRequestQueue<BuildRequestData> _queue;
    private readonly object _gate = new();
    private readonly List<BuildOutcomeRule> _rules = [];
    private readonly Dictionary<BuildOutcomeRule, int> _ruleUses = [];
    private readonly List<BuildSelector> _holds = [];
    private readonly List<Running> _running = [];
    private readonly List<BuildRecord> _history = [];
    private readonly JobWorker _worker = new("recording-executor");

    private sealed class Running
    {
        public required LockedJobRequest<BuildRequestData> Locked { get; init; }
        public required BuildRecord Record { get; set; }
        public required BuildParameters Parameters { get; init; }
        public bool Held { get; set; }
        public bool Paused { get; set; }
        public bool Released { get; set; }
    }

    /// <summary>An executor on the unzoned executor queue.</summary>
    public RecordingExecutor(IZooKeeper zk, TimeProvider time)
    {
        _zk = zk;
        _queue = new JobRequestQueue<BuildRequestData>(zk, ZkPaths.ExecutorQueue(null), time);
    }

    /// <summary>Completed builds in completion order (cancelled running builds as ABORTED).</summary>
    public IReadOnlyList<BuildRecord> History { get { lock (_gate) { return _history.ToList(); } } }

    /// <summary>Running builds (held and paused included) in start order.</summary>
    public IReadOnlyList<BuildRecord> RunningBuilds { get { lock (_gate) { return _running.Select(r => r.Record).ToList(); } } }

    /// <summary>Adds an outcome rule (the latest matching rule wins).</summary>
    public void SetOutcome(BuildOutcomeRule rule)
    {
        lock (_gate)
        {
            _rules.Add(rule);
        }
    }

    /// <summary>Holds builds matching <paramref name="selector"/> that start from now on.</summary>
    public void Hold(BuildSelector selector)
    {
        lock (_gate)
        {
            _holds.Add(selector);
        }
    }

    /// <summary>Stops holding <paramref name="selector"/>'s builds and lets the held ones that match finish.</summary>
    public void Release(BuildSelector selector)
    {
        lock (_gate)
        {
            _holds.RemoveAll(h => h == selector || Covers(selector, h));
            foreach (var r in _running.Where(r => r.Held && Matches(selector, r.Record)))
            {
                r.Released = true;
            }
        }
    }

    /// <summary>Takes and advances builds until nothing can move; true when anything happened.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var did = false;
        while (await _queue.NextAvailableAsync(null, cancellationToken) is { } locked)
        {
            await StartAsync(locked, cancellationToken);
            did = true;
        }
        foreach (var r in Snapshot())
        {
            did |= await AdvanceAsync(r, cancellationToken);
        }
        return did;
    }

    private List<Running> Snapshot()
    {
        lock (_gate)
        {
            return _running.ToList();
        }
    }

    private async Task StartAsync(LockedJobRequest<BuildRequestData> locked, CancellationToken cancellationToken)
    {
        var parameters = ModelJson.Deserialize<BuildParameters>(await _queue.ReadParamsAsync(locked.Uuid, cancellationToken));
        await _queue.MarkRunningAsync(locked, _worker, cancellationToken);
        var results = new EventQueue(_zk, ZkPaths.PipelineResultEvents(parameters.Tenant, parameters.Pipeline));
        await results.PutAsync(ResultEventJson.Serialize(new BuildStartedEvent(parameters.BuildId)), cancellationToken);
        var record = new BuildRecord(
            parameters.Job,
            parameters.Pipeline,
            int.TryParse(parameters.Change, out var n) ? n : null,
            parameters.Patchset,
            parameters.Change is null ? parameters.Ref : null,
            parameters.Items.Where(i => i.Merge.Change is not null).Select(i => $"{i.Merge.Change},{i.Merge.Patchset}").ToImmutableArray(),
            null,
            parameters.Attempts,
            parameters.BuildId);
        lock (_gate)
        {
            _running.Add(new Running { Locked = locked, Record = record, Parameters = parameters, Held = _holds.Any(h => Matches(h, record)) });
        }
    }

    private async Task<bool> AdvanceAsync(Running r, CancellationToken cancellationToken)
    {
        if (await _queue.IsSignalledAsync(r.Locked.Uuid, JobSignal.Cancel, cancellationToken))
        {
            await CompleteAsync(r, new BuildCompletedEvent(r.Record.BuildId, BuildResults.Canceled), BuildResults.Aborted, cancellationToken);
            return true;
        }
        if (r.Paused)
        {
            if (!await _queue.IsSignalledAsync(r.Locked.Uuid, JobSignal.Resume, cancellationToken))
            {
                return false;
            }
            await _queue.ResumeAsync(r.Locked, cancellationToken);
            r.Paused = false;
            await CompleteAsync(r, new BuildCompletedEvent(r.Record.BuildId, BuildResults.Success), BuildResults.Success, cancellationToken);
            return true;
        }
        if (r.Held && !r.Released)
        {
            return false;
        }
        var rule = TakeRule(r.Record);
        var data = rule?.ReturnData is { } json ? JsonSerializer.Deserialize<VarMap>(json, ModelJson.Options) : null;
        if (rule is { RetryAttempts: > 0 } && r.Record.Attempt <= rule.RetryAttempts)
        {
            // The scheduler turns the last allowed attempt's retry into RETRY_LIMIT (reference 3.12); the history
            // shows the result the build ends with, as Zuul's test history does.
            var recorded = r.Parameters.Attempts >= r.Parameters.MaxAttempts ? BuildResults.RetryLimit : "RETRY";
            await CompleteAsync(r, new BuildCompletedEvent(r.Record.BuildId, null, data), recorded, cancellationToken);
            return true;
        }
        if (rule is { Pause: true })
        {
            await _queue.PauseAsync(r.Locked, cancellationToken);
            r.Paused = true;
            await Results(r).PutAsync(ResultEventJson.Serialize(new BuildPausedEvent(r.Record.BuildId, data ?? VarMap.Empty)), cancellationToken);
            return true;
        }
        var result = rule?.Result ?? BuildResults.Success;
        await CompleteAsync(r, new BuildCompletedEvent(r.Record.BuildId, result, data), result, cancellationToken);
        return true;
    }

    private async Task CompleteAsync(Running r, BuildCompletedEvent completed, string recordedResult, CancellationToken cancellationToken)
    {
        var results = Results(r);
        await results.EnsureAsync(cancellationToken);
        try
        {
            await _queue.CompleteAsync(r.Locked, ReadOnlyMemory<byte>.Empty, [results.PutOp(ResultEventJson.Serialize(completed))], cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
        {
            // The scheduler removed the request meanwhile (cancelled before it saw us start).
        }
        lock (_gate)
        {
            _running.Remove(r);
            _history.Add(r.Record with { Result = recordedResult });
        }
    }

    private EventQueue Results(Running r) => new(_zk, ZkPaths.PipelineResultEvents(r.Parameters.Tenant, r.Parameters.Pipeline));

    private BuildOutcomeRule? TakeRule(BuildRecord record)
    {
        lock (_gate)
        {
            for (var i = _rules.Count - 1; i >= 0; i--)
            {
                var rule = _rules[i];
                if (!Matches(rule.Selector, record))
                {
                    continue;
                }
                var uses = _ruleUses.GetValueOrDefault(rule);
                if (rule.Times is { } times && uses >= times)
                {
                    continue;
                }
                // A rule with retries counts once per build, on its last attempt.
                if (rule.RetryAttempts == 0 || record.Attempt > rule.RetryAttempts)
                {
                    _ruleUses[rule] = uses + 1;
                }
                return rule;
            }
            return null;
        }
    }

    internal static bool Matches(BuildSelector s, BuildRecord r) =>
        (s.Job is null || s.Job == r.Job) && (s.Change is null || s.Change == r.Change) && (s.Pipeline is null || s.Pipeline == r.Pipeline);

    private static bool Covers(BuildSelector wide, BuildSelector narrow) =>
        (wide.Job is null || wide.Job == narrow.Job) && (wide.Change is null || wide.Change == narrow.Change) && (wide.Pipeline is null || wide.Pipeline == narrow.Pipeline);
}

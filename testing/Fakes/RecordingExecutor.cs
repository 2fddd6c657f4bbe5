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

    /// <summary>
    /// The fields of <see cref="BuildParameters"/> this executor uses, read from the same JSON: the rest (repo state,
    /// playbooks, variables) is skipped instead of built, which is most of the cost with many items ahead.
    /// </summary>
    private sealed record ParametersView(string BuildId, string Tenant, string Pipeline, string Job, string? Change, string? Patchset, string? Ref,
        ImmutableArray<ItemView> Items, int Attempts = 1, int MaxAttempts = 3);

    private sealed record ItemView(MergeView Merge);

    private sealed record MergeView(string? Change, string? Patchset);

    private sealed class Running
    {
        public required LockedJobRequest<BuildRequestData> Locked { get; init; }
        public required BuildRecord Record { get; set; }
        public required ParametersView Parameters { get; init; }
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

    /// <summary>
    /// Takes and advances builds until nothing can move; true when anything happened. Every waiting request is taken
    /// in the order a worker takes them, with one listing and the reads and writes of all of them sent together; the
    /// running builds' signals are read together too, then each build moves in start order.
    /// </summary>
    public async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var did = false;
        while (await _queue.LockAvailableAsync(null, int.MaxValue, cancellationToken) is { Count: > 0 } taken)
        {
            await StartAllAsync(taken, cancellationToken);
            did = true;
        }
        var running = Snapshot();
        var signals = running.Select(r => _zk.TryGetChildrenAsync(_queue.RequestPath(r.Locked.Uuid), cancellationToken)).ToList();
        var finishing = new List<Finishing>();
        for (var i = 0; i < running.Count; i++)
        {
            did |= await AdvanceAsync(running[i], await signals[i], finishing, cancellationToken);
        }
        await FinishAsync(finishing, cancellationToken);
        return did;
    }

    private List<Running> Snapshot()
    {
        lock (_gate)
        {
            return _running.ToList();
        }
    }

    /// <summary>Starts builds in the given order; their build-started events go in one multi per result queue.</summary>
    private async Task StartAllAsync(IReadOnlyList<LockedJobRequest<BuildRequestData>> taken, CancellationToken cancellationToken)
    {
        var started = await Task.WhenAll(taken.Select(locked => StartAsync(locked, cancellationToken)));
        foreach (var group in started.GroupBy(r => (r.Parameters.Tenant, r.Parameters.Pipeline)))
        {
            var results = Results(group.First());
            await results.EnsureAsync(cancellationToken);
            foreach (var chunk in group.Chunk(500))
            {
                await _zk.MultiAsync(chunk.Select(r => results.PutOp(ResultEventJson.Serialize(new BuildStartedEvent(r.Parameters.BuildId)))).ToList(), cancellationToken);
            }
        }
        lock (_gate)
        {
            _running.AddRange(started);
        }
    }

    private async Task<Running> StartAsync(LockedJobRequest<BuildRequestData> locked, CancellationToken cancellationToken)
    {
        var parameters = ModelJson.Deserialize<ParametersView>(await _queue.ReadParamsAsync(locked.Uuid, cancellationToken));
        await _queue.MarkRunningAsync(locked, _worker, cancellationToken);
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
            return new Running { Locked = locked, Record = record, Parameters = parameters, Held = _holds.Any(h => Matches(h, record)) };
        }
    }

    /// <summary>A build that completes, waiting in <see cref="FinishAsync"/>'s batch.</summary>
    private sealed record Finishing(Running Build, BuildCompletedEvent Event, string RecordedResult);

    /// <summary>
    /// Moves one build; <paramref name="signals"/> are its request's signal nodes, read just before. A completion joins
    /// <paramref name="finishing"/>; any other write first finishes the batch, so every result event keeps its order.
    /// </summary>
    private async Task<bool> AdvanceAsync(Running r, IReadOnlyList<string> signals, List<Finishing> finishing, CancellationToken cancellationToken)
    {
        if (signals.Contains("cancel"))
        {
            finishing.Add(new Finishing(r, new BuildCompletedEvent(r.Record.BuildId, BuildResults.Canceled), BuildResults.Aborted));
            return true;
        }
        if (r.Paused)
        {
            if (!signals.Contains("resume"))
            {
                return false;
            }
            await FinishAsync(finishing, cancellationToken);
            await _queue.ResumeAsync(r.Locked, cancellationToken);
            r.Paused = false;
            finishing.Add(new Finishing(r, new BuildCompletedEvent(r.Record.BuildId, BuildResults.Success), BuildResults.Success));
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
            finishing.Add(new Finishing(r, new BuildCompletedEvent(r.Record.BuildId, null, data), recorded));
            return true;
        }
        if (rule is { Pause: true })
        {
            await FinishAsync(finishing, cancellationToken);
            await _queue.PauseAsync(r.Locked, cancellationToken);
            r.Paused = true;
            await Results(r).PutAsync(ResultEventJson.Serialize(new BuildPausedEvent(r.Record.BuildId, data ?? VarMap.Empty)), cancellationToken);
            return true;
        }
        var result = rule?.Result ?? BuildResults.Success;
        finishing.Add(new Finishing(r, new BuildCompletedEvent(r.Record.BuildId, result, data), result));
        return true;
    }

    /// <summary>Completes the batch's builds in order (one completion multi each, sent together) and records them.</summary>
    private async Task FinishAsync(List<Finishing> finishing, CancellationToken cancellationToken)
    {
        if (finishing.Count == 0)
        {
            return;
        }
        var queues = finishing.Select(f => Results(f.Build)).DistinctBy(q => q.Root).ToList();
        await Task.WhenAll(queues.Select(q => q.EnsureAsync(cancellationToken)));
        // A request the scheduler removed meanwhile (cancelled before it saw us start) completes as null: recorded all the same.
        await _queue.CompleteManyAsync(finishing.Select(f => new JobCompletion<BuildRequestData>(
            f.Build.Locked, ReadOnlyMemory<byte>.Empty, [Results(f.Build).PutOp(ResultEventJson.Serialize(f.Event))])).ToList(), cancellationToken);
        lock (_gate)
        {
            foreach (var f in finishing)
            {
                _running.Remove(f.Build);
                _history.Add(f.Build.Record with { Result = f.RecordedResult });
            }
        }
        finishing.Clear();
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

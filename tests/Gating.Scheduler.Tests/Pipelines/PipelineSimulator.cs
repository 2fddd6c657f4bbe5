using System.Collections.Immutable;
using Gating.Config.Model;
using Gating.Model;
using Gating.Model.Events;
using Gating.Scheduler.Pipelines;

namespace Gating.Scheduler.Tests.Pipelines;

/// <summary>A started build as the fake executor sees it.</summary>
public sealed record RunningBuild(StartBuild Request)
{
    /// <summary>Job name.</summary>
    public string Job => Request.Job.Name;
    /// <summary>The item's own change (last of the speculative state).</summary>
    public string Change => Request.Speculative[^1].Key.Id;
    /// <summary>The speculative state as change ids, e.g. <c>1 2 3</c>.</summary>
    public string State => string.Join(" ", Request.Speculative.Select(s => s.Key.Id));
}

/// <summary>One line of the build history: job, change, result and the speculative state it ran on.</summary>
public sealed record HistoryEntry(string Job, string Change, string Result, string State)
{
    /// <inheritdoc />
    public override string ToString() => $"{Job} {Change} {Result} [{State}]";
}

/// <summary>
/// Drives the pure core the way the runtime will: applies events, answers merges, job graphs, node requests
/// and submits at once (unless told otherwise), and keeps builds running until the test completes them.
/// Deterministic: time is a field that the test moves.
/// </summary>
public sealed class PipelineSimulator
{
    private readonly Queue<PipelineEvent> _pending = new();

    public PipelineSimulator(PipelineSettings settings, Func<Change, JobGraph>? jobs = null)
    {
        Context = PipelineContext.For(settings);
        State = PipelineState.Empty("tenant", settings.Name);
        Jobs = jobs ?? (_ => Graph("merge", "test1", "test2"));
    }

    public PipelineContext Context { get; set; }
    public PipelineState State { get; private set; }
    public Func<Change, JobGraph> Jobs { get; set; }
    public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public List<PipelineAction> Actions { get; } = [];
    public Dictionary<string, RunningBuild> Running { get; } = [];
    public List<HistoryEntry> History { get; } = [];
    public HashSet<string> MergeConflicts { get; } = [];
    public HashSet<string> SubmitFailures { get; } = [];
    public HashSet<string> ConfigErrors { get; } = [];
    public HashSet<string> FailNodeRequestsFor { get; } = [];
    public bool HoldNodeRequests { get; set; }
    public bool FailFast { get; set; }
    public List<RequestNodes> HeldNodeRequests { get; } = [];
    public List<Change> Merged { get; } = [];
    /// <summary>Called after every event with the new state and its actions (property tests check invariants here).</summary>
    public Action<PipelineState, IReadOnlyList<PipelineAction>, PipelineState>? Observer { get; set; }

    public IEnumerable<Report> Reports => Actions.OfType<Report>();

    public static JobGraph Graph(params string[] names) =>
        new([.. names.Select(n => new FrozenJob { Name = n, InheritancePath = [] })], []);

    public static Change NewChange(string project, int number, int patchset = 1, string branch = "main") => new()
    {
        Key = new ChangeKey("gerrit", project, number.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Branch = branch,
        Number = number,
        Patchset = patchset.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Ref = $"refs/changes/{number}/{patchset}",
    };

    public void Enqueue(Change change, params Change[] related) =>
        Send(new TriggerEvent(change, ChangeGraph.Of(related)));

    public void Send(PipelineEvent evt)
    {
        _pending.Enqueue(evt);
        Drain();
    }

    private void Drain()
    {
        while (_pending.TryDequeue(out var evt))
        {
            var before = State;
            var result = PipelineCore.Handle(Context, State, evt, Now);
            State = result.State;
            Actions.AddRange(result.Actions);
            foreach (var action in result.Actions)
            {
                Answer(action);
            }
            Observer?.Invoke(before, result.Actions, State);
        }
    }

    private void Answer(PipelineAction action)
    {
        switch (action)
        {
            case RequestMerge m:
                _pending.Enqueue(m.Changes.Any(c => MergeConflicts.Contains(c.Key.Id))
                    ? new MergeConflictEvent(m.BuildSetId)
                    : new MergeCompletedEvent(m.BuildSetId, ImmutableDictionary<string, string>.Empty));
                break;
            case FreezeJobGraph f:
                var own = State.Items.TryGetValue(f.ItemId, out var item) ? item.Change : f.Changes[^1];
                _pending.Enqueue(ConfigErrors.Contains(own.Key.Id)
                    ? new JobGraphErrorEvent(f.BuildSetId, ["Job foo not defined"])
                    : new JobGraphReadyEvent(f.BuildSetId, Jobs(own), FailFast));
                break;
            case RequestNodes n:
                if (FailNodeRequestsFor.Contains(n.Job))
                {
                    _pending.Enqueue(new NodesFailedEvent(n.RequestId));
                }
                else if (HoldNodeRequests)
                {
                    HeldNodeRequests.Add(n);
                }
                else
                {
                    _pending.Enqueue(new NodesProvisionedEvent(n.RequestId, [$"node-{n.RequestId}"]));
                }
                break;
            case StartBuild s:
                Running[s.BuildId] = new RunningBuild(s);
                _pending.Enqueue(new BuildStartedEvent(s.BuildId));
                break;
            case CancelBuild c:
                if (Running.Remove(c.BuildId, out var canceled))
                {
                    History.Add(new HistoryEntry(canceled.Job, canceled.Change, BuildResults.Canceled, canceled.State));
                }
                break;
            case Submit s:
                var ok = !s.Changes.Any(c => SubmitFailures.Contains(c.Key.Id));
                if (ok)
                {
                    Merged.AddRange(s.Changes);
                }
                _pending.Enqueue(new SubmitCompletedEvent(s.ItemId, ok, ok ? null : "Submit rejected"));
                break;
        }
    }

    /// <summary>The running build of <paramref name="job"/> for change <paramref name="change"/>.</summary>
    public RunningBuild Build(string job, string change) =>
        Running.Values.Single(b => b.Job == job && b.Change == change);

    /// <summary>Finish one running build.</summary>
    public void Complete(RunningBuild build, string? result, VarMap? data = null)
    {
        Running.Remove(build.Request.BuildId);
        History.Add(new HistoryEntry(build.Job, build.Change, result ?? BuildResults.Retry, build.State));
        Send(new BuildCompletedEvent(build.Request.BuildId, result, data));
    }

    /// <summary>Finish a build by job and change.</summary>
    public void Complete(string job, string change, string? result, VarMap? data = null) => Complete(Build(job, change), result, data);

    /// <summary>Complete running builds (oldest first) until nothing runs; <paramref name="result"/> picks each result.</summary>
    public void RunAll(Func<RunningBuild, string?>? result = null)
    {
        while (Running.Count > 0)
        {
            var next = Running.Values.OrderBy(b => b.Request.BuildId, StringComparer.Ordinal).First();
            Complete(next, result?.Invoke(next) ?? BuildResults.Success);
        }
    }

    public IEnumerable<QueueItem> Items => State.AllItems;

    public string QueueText => string.Join(" ", Items.Select(i => i.Change.Key.Id));
}

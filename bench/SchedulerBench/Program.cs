using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Gating.Config.Model;
using Gating.Model;
using Gating.Model.Events;
using Gating.Scheduler.Pipelines;

// Benchmark of the pure pipeline core (no I/O): a dependent gate with window 0, four projects sharing one queue,
// 10 jobs per change (one node each), N items. Prints one line per measurement.
// `runtime [--real] N...` measures the whole runtime instead (RuntimeBench.cs).
if (args.Length > 0 && args[0] == "runtime")
{
    var real = args.Contains("--real");
    var runtimeSizes = args.Skip(1).Where(a => a != "--real").Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
    await RuntimeBench.RunAsync(real, runtimeSizes.Length > 0 ? runtimeSizes : [50, 100, 200]);
    return;
}
var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [50, 100, 200];
Console.WriteLine("N | enqueue all (ms) | one pass, median of 51 (ms) | approval -> 10 StartBuild (ms, actions) | reset: head fails (ms, actions) | reset until all builds requested again (ms, actions)");
foreach (var n in sizes)
{
    Bench.Run(n);
}

internal static class Bench
{
    private static readonly PipelineContext Context = PipelineContext.For(new PipelineSettings
    {
        Name = "gate",
        Manager = PipelineManagerKind.Dependent,
        ReporterActions = ["start", "success", "failure"],
        Window = new WindowSettings(0, 0),
    }) with { QueueOf = _ => new ProjectQueue("integrated") };

    private static readonly JobGraph Graph = new(
        [.. Enumerable.Range(1, 10).Select(i => new FrozenJob
        {
            Name = $"job{i}",
            InheritancePath = [],
            Nodeset = new FrozenNodeset("one", [new FrozenNode(["node"], "ubuntu")], [], []),
        })],
        []);

    private static DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void Run(int n)
    {
        // Warm up the JIT on a small gate first.
        Fill(PipelineState.Empty("t", "gate"), 5, out _);

        var sw = Stopwatch.StartNew();
        var state = Fill(PipelineState.Empty("t", "gate"), n - 1, out var fillActions);
        var enqueueMs = sw.Elapsed.TotalMilliseconds;

        // One full pass over the steady gate (nothing to do): median of 51.
        var passes = new List<double>();
        for (var i = 0; i < 51; i++)
        {
            sw.Restart();
            PipelineCore.Process(Context, state, _now);
            passes.Add(sw.Elapsed.TotalMilliseconds);
        }
        passes.Sort();

        if (Environment.GetEnvironmentVariable("BENCH_PROBE") == "1")
        {
            var b = state.AllItems.Last().BuildSet.Builds.Values.First();
            for (var k = 0; k < 3; k++)
            {
                sw.Restart();
                var r = PipelineCore.Handle(Context, state, new BuildStartedEvent(b.Id), _now);
                Console.WriteLine($"probe BuildStarted: {sw.Elapsed.TotalMilliseconds:F3} ms, {r.Actions.Count} actions");
                sw.Restart();
                r = PipelineCore.Handle(Context, state, new SemaphoreReleasedEvent("x"), _now);
                Console.WriteLine($"probe SemaphoreReleased: {sw.Elapsed.TotalMilliseconds:F3} ms, {r.Actions.Count} actions");
            }
        }

        // Approval of change N: trigger -> merge -> job graph -> nodes -> 10 build requests.
        var approvals = new List<(double Ms, int Actions)>();
        var filled = state;
        for (var i = 0; i < 11; i++)
        {
            sw.Restart();
            var actions = new List<PipelineAction>();
            state = Feed(filled, new TriggerEvent(NewChange(n), ChangeGraph.None), actions);
            approvals.Add((sw.Elapsed.TotalMilliseconds, actions.Count));
            if (actions.OfType<StartBuild>().Count() != 10)
            {
                throw new InvalidOperationException("the approval did not lead to 10 builds");
            }
        }
        var approval = approvals.OrderBy(a => a.Ms).ElementAt(5);
        var approvalMin = approvals.Min(a => a.Ms);

        // Gate reset: the head's first build fails; every item behind is re-based (one event).
        var head = state.AllItems.First();
        var failing = head.BuildSet.Builds.Values.First();
        sw.Restart();
        var reset = PipelineCore.Handle(Context, state, new BuildCompletedEvent(failing.Id, BuildResults.Failure), _now);
        var resetMs = sw.Elapsed.TotalMilliseconds;
        var cancels = reset.Actions.OfType<CancelBuild>().Count();
        var merges = reset.Actions.OfType<RequestMerge>().Count();

        // ... and everything that follows until every re-based item has its 10 builds requested again.
        sw.Restart();
        var followUp = new List<PipelineAction>();
        var after = Answer(reset.State, reset.Actions, followUp);
        var fullResetMs = sw.Elapsed.TotalMilliseconds + resetMs;
        var started = followUp.OfType<StartBuild>().Count();
        if (after.AllItems.Skip(1).Any(i => i.BuildSet.Builds.Values.Any(b => b.State != BuildState.Running)))
        {
            throw new InvalidOperationException("reset did not restart every build");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{n} | {enqueueMs:F1} ({fillActions} actions) | {passes[25]:F3} (min {passes[0]:F3}) | {approval.Ms:F3} (min {approvalMin:F3}; {approval.Actions} actions) | "
            + $"{resetMs:F2} ({reset.Actions.Count}: {cancels} CancelBuild, {merges} RequestMerge) | "
            + $"{fullResetMs:F1} ({reset.Actions.Count + followUp.Count}: {started} StartBuild)"));
    }

    private static Change NewChange(int i) => new()
    {
        Key = new ChangeKey("gerrit", $"org/project{i % 4}", i.ToString(CultureInfo.InvariantCulture)),
        Branch = "main",
        Number = i,
        Patchset = "1",
    };

    private static PipelineState Fill(PipelineState state, int count, out int actionCount)
    {
        var actions = new List<PipelineAction>();
        for (var i = 1; i <= count; i++)
        {
            state = Feed(state, new TriggerEvent(NewChange(i), ChangeGraph.None), actions);
        }
        actionCount = actions.Count;
        return state;
    }

    /// <summary>Handle one event, then answer merges, job graphs, node requests and build starts like a quick cluster.</summary>
    private static PipelineState Feed(PipelineState state, PipelineEvent evt, List<PipelineAction> log)
    {
        var result = PipelineCore.Handle(Context, state, evt, _now);
        log.AddRange(result.Actions);
        return Answer(result.State, result.Actions, log);
    }

    private static PipelineState Answer(PipelineState state, IReadOnlyList<PipelineAction> actions, List<PipelineAction> log)
    {
        var pending = new Queue<PipelineEvent>();
        void Enqueue(IEnumerable<PipelineAction> batch)
        {
            foreach (var action in batch)
            {
                switch (action)
                {
                    case RequestMerge m:
                        pending.Enqueue(new MergeCompletedEvent(m.BuildSetId, ImmutableDictionary<string, string>.Empty));
                        break;
                    case FreezeJobGraph f:
                        pending.Enqueue(new JobGraphReadyEvent(f.BuildSetId, Graph));
                        break;
                    case RequestNodes r:
                        pending.Enqueue(new NodesProvisionedEvent(r.RequestId, [r.RequestId]));
                        break;
                    case StartBuild s:
                        pending.Enqueue(new BuildStartedEvent(s.BuildId));
                        break;
                }
            }
        }
        Enqueue(actions);
        // Like the runtime: drain every waiting result event, then run the queue processor once.
        while (pending.Count > 0)
        {
            var batch = pending.ToList();
            pending.Clear();
            var result = PipelineCore.HandleAll(Context, state, batch, _now);
            state = result.State;
            log.AddRange(result.Actions);
            Enqueue(result.Actions);
        }
        return state;
    }
}

using Gating.Config.Model;
using Gating.Model;
using Gating.Model.Events;
using Gating.Scheduler.Pipelines;
using static Gating.Scheduler.Tests.Pipelines.PipelineSimulator;

namespace Gating.Scheduler.Tests.Pipelines;

/// <summary>
/// Property tests: many random event sequences from seeded generators, with the queue invariants checked after every
/// event. A failing seed is printed so the sequence can be replayed.
/// </summary>
public sealed class QueueInvariantTests
{
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 1; seed <= 24; seed++)
        {
            data.Add(seed);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_gate_histories_keep_the_queue_invariants(int seed)
    {
        var random = new Random(seed);
        var window = random.Next(3) == 0 ? 0 : random.Next(1, 6);
        var sim = DependentPipelineTests.GateSim(window, floor: random.Next(1, 3));
        var graph = new JobGraph(
            [new FrozenJob { Name = "merge", InheritancePath = [] }, new FrozenJob { Name = "test", InheritancePath = [], Attempts = 2 }],
            [new JobGraphEdge("test", "merge", Soft: false)]);
        sim.Jobs = _ => graph;
        var violations = new List<string>();
        var step = 0;
        sim.Observer = (before, actions, after) => Check(sim, before, actions, after, violations, seed, step);
        var open = new List<Change>();
        var next = 1;

        for (step = 0; step < 200; step++)
        {
            sim.Now += TimeSpan.FromSeconds(random.Next(1, 30));
            var roll = random.Next(100);
            if (roll < 30 || sim.Running.Count == 0)
            {
                var change = NewChange($"org/project{random.Next(4)}", next++);
                var related = new List<Change>();
                if (open.Count > 0 && random.Next(4) == 0)
                {
                    var needed = open[random.Next(open.Count)];
                    change = change with { DependsOn = [needed.Key] };
                    related.Add(needed);
                }
                if (random.Next(20) == 0)
                {
                    sim.MergeConflicts.Add(change.Key.Id);
                }
                if (random.Next(30) == 0)
                {
                    sim.SubmitFailures.Add(change.Key.Id);
                }
                open.Add(change);
                sim.Enqueue(change, [.. related]);
            }
            else if (roll < 85)
            {
                var builds = sim.Running.Values.OrderBy(b => b.Request.BuildId, StringComparer.Ordinal).ToList();
                var build = builds[random.Next(builds.Count)];
                var r = random.Next(100);
                sim.Complete(build, r < 80 ? BuildResults.Success : r < 95 ? BuildResults.Failure : null);
            }
            else if (roll < 92 && open.Count > 0)
            {
                var change = open[random.Next(open.Count)];
                var newer = change with { Patchset = (int.Parse(change.Patchset!, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) };
                open[open.IndexOf(change)] = newer;
                sim.Send(new NewPatchsetEvent(newer));
            }
            else if (open.Count > 0)
            {
                var change = open[random.Next(open.Count)];
                open.Remove(change);
                sim.Send(new ChangeAbandonedEvent(change));
            }
            open.RemoveAll(c => sim.Merged.Any(m => m.Key == c.Key));
        }
        sim.RunAll();

        Assert.True(violations.Count == 0, $"seed {seed}:\n" + string.Join("\n", violations.Take(10)));
        Assert.Empty(sim.Items);
        Assert.Empty(sim.State.Semaphores);
    }

    private static readonly HashSet<ReportKind> FinalKinds =
        [ReportKind.Success, ReportKind.Failure, ReportKind.MergeConflict, ReportKind.ConfigError, ReportKind.NoJobs];

    private static void Check(
        PipelineSimulator sim, PipelineState before, IReadOnlyList<PipelineAction> actions, PipelineState after, List<string> violations,
        int seed, int step)
    {
        // 1. No item is reported while a healthy item is still ahead of it (items failing ahead may report later).
        foreach (var report in actions.OfType<Report>())
        {
            if (report.ItemId is null || !FinalKinds.Contains(report.Kind) || report.Result == BuildResults.MergeFailure
                || report.Message.Contains("depends on a change that failed to merge", StringComparison.Ordinal)
                || report.Message.Contains("missing merge requirement", StringComparison.Ordinal)
                || !before.Items.TryGetValue(report.ItemId, out var item))
            {
                continue;
            }
            // Dequeued needing a change that left (reported at once, as Zuul does, whatever the decision order says).
            if (item.Changes.SelectMany(c => c.Needs).Any(n => !item.Contains(n) && !after.AllItems.Any(i => i.Contains(n))
                && !sim.Merged.Any(m => m.Key == n)))
            {
                continue;
            }
            var queue = before.Queue(item.QueueId)!;
            foreach (var aheadId in queue.Items.TakeWhile(id => id != item.Id))
            {
                if (after.Items.TryGetValue(aheadId, out var ahead) && ahead.Live && ahead.BuildSet.FailingReasons.IsEmpty)
                {
                    violations.Add($"seed {seed} step {step}: {item} reported while healthy {ahead} is ahead; {report.Message}; before: "
                        + string.Join(" | ", before.ItemsOf(queue).Select(i => $"{i} ahead={i.ItemAhead} reasons={string.Join(",", i.BuildSet.FailingReasons)} needs={string.Join(",", i.Changes.SelectMany(c => c.Needs))}")));
                }
            }
        }
        // 2. Every healthy live item is tested on the branch plus exactly the healthy live items ahead of it.
        var merged = sim.Merged.Select(c => c.Version).ToHashSet();
        foreach (var queue in after.Queues)
        {
            var expected = new List<ChangeRevision>();
            foreach (var item in after.ItemsOf(queue))
            {
                var healthy = item.Live && item.BuildSet.FailingReasons.IsEmpty;
                if (healthy && item.Phase == ItemPhase.Queued && item.BuildSet.MergeState != StepState.New)
                {
                    var actual = item.BuildSet.MergerChanges.Where(c => !merged.Contains(c)).ToList();
                    var wanted = expected.Concat(item.Changes.Select(c => c.Version).Where(c => !merged.Contains(c))).ToList();
                    if (!actual.SequenceEqual(wanted))
                    {
                        violations.Add($"seed {seed} step {step}: {item} tested on [{string.Join(" ", actual)}], expected [{string.Join(" ", wanted)}]");
                    }
                }
                if (healthy)
                {
                    // A change whose submit is under way is already part of the branch.
                    expected.AddRange(item.Changes.Select(c => c.Version).Where(c => !merged.Contains(c)));
                }
            }
        }
        // 3. Every running build belongs to the current buildset of a queued item.
        foreach (var build in sim.Running.Values)
        {
            if (!after.Items.TryGetValue(build.Request.ItemId, out var owner) || owner.BuildSet.Id != build.Request.BuildSetId)
            {
                violations.Add($"seed {seed} step {step}: build {build.Request.BuildId} of {build.Job} still running for a stale buildset");
            }
        }
    }

    [Fact]
    public void Random_check_histories_report_every_item_exactly_once()
    {
        for (var seed = 1; seed <= 20; seed++)
        {
            var random = new Random(seed);
            var sim = new PipelineSimulator(JobGraphRuntimeTests.Check());
            var enqueued = new List<Change>();
            for (var step = 0; step < 150; step++)
            {
                if (random.Next(3) == 0 || sim.Running.Count == 0)
                {
                    var change = NewChange($"org/project{random.Next(3)}", enqueued.Count + 1);
                    if (enqueued.Count > 0 && random.Next(3) == 0)
                    {
                        var parent = enqueued[random.Next(enqueued.Count)];
                        change = change with { GitParents = [parent.Key] };
                        sim.Enqueue(change, parent);
                    }
                    else
                    {
                        sim.Enqueue(change);
                    }
                    enqueued.Add(change);
                }
                else
                {
                    var builds = sim.Running.Values.OrderBy(b => b.Request.BuildId, StringComparer.Ordinal).ToList();
                    sim.Complete(builds[random.Next(builds.Count)], random.Next(5) == 0 ? BuildResults.Failure : BuildResults.Success);
                }
            }
            sim.RunAll();
            var reported = sim.Reports.Where(r => r.Kind is ReportKind.Success or ReportKind.Failure).Select(r => r.Changes[0].Key.Id).ToList();
            Assert.Equal(enqueued.Select(c => c.Key.Id).Order(), reported.Order());
            Assert.Empty(sim.Items);
        }
    }
}

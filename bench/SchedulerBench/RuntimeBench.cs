using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gating.Coordination;
using Gating.Model.Requests;
using Gating.Testing.Cluster;
using Gating.Testing.Scenarios;

/// <summary>
/// Issue 4's runtime benchmark in the setup Zuul's scheduler was measured in: a dependent gate with window 0, four
/// projects sharing one queue, 10 jobs per change (one node each), builds requested and held, a cheap merger;
/// the whole runtime (ZooKeeper queues, locks, state records) on the embedded store or a real ZooKeeper.
/// </summary>
internal static class RuntimeBench
{
    private const string Tenant = """
        - tenant:
            name: bench
            source:
              gerrit:
                config-projects: [config]
                untrusted-projects: [org/p0, org/p1, org/p2, org/p3]
        """;

    private static string Config()
    {
        var text = new StringBuilder("""
            - pipeline:
                name: gate
                manager: dependent
                trigger:
                  gerrit:
                    - event: comment-added
                      approval:
                        - Approved: 1
                require:
                  gerrit:
                    approval:
                      - Code-Review: 2
                start:
                  gerrit:
                    Verified: 0
                success:
                  gerrit:
                    Verified: 2
                    submit: true
                failure:
                  gerrit:
                    Verified: -2
                window: 0
            - queue:
                name: integrated
            - job:
                name: base
                parent: null
                run: playbooks/base.yaml
                nodeset:
                  nodes:
                    - name: node
                      label: ubuntu

            """);
        for (var j = 1; j <= 10; j++)
        {
            text.Append(CultureInfo.InvariantCulture, $"- job:\n    name: job{j}\n");
        }
        for (var p = 0; p < 4; p++)
        {
            text.Append(CultureInfo.InvariantCulture, $"- project:\n    name: org/p{p}\n    queue: integrated\n    gate:\n      jobs: [{string.Join(", ", Enumerable.Range(1, 10).Select(j => $"job{j}"))}]\n");
        }
        return text.ToString();
    }

    public static async Task RunAsync(bool real, int[] sizes)
    {
        Console.WriteLine($"runtime on {(real ? "real ZooKeeper" : "the embedded store")}");
        Console.WriteLine("N | enqueue all (s; sched write ops / transactions) | pass with state refresh (ms, median of 11; sched reads) | approval -> 10 build requests (ms) | gate reset: until all builds are requested again (s; sched write ops / transactions) / until the executor holds them all again (s) | managed memory after enqueue, whole process (MiB) | the scheduler's share of it; its state cache re-read (MiB) | working set (MiB)");
        foreach (var n in sizes)
        {
            await RunOneAsync(real, n);
        }
    }

    private static async Task RunOneAsync(bool real, int n)
    {
        var ct = CancellationToken.None;
        var setup = new ClusterSetup(Tenant,
        [
            new RepoFiles("config", "master", ImmutableDictionary<string, string?>.Empty.Add("zuul.yaml", Config())),
            .. Enumerable.Range(0, 4).Select(p => new RepoFiles($"org/p{p}", "master", ImmutableDictionary<string, string?>.Empty.Add("README", "x\n"))),
        ]);
        await using var cluster = await TestCluster.StartAsync(setup, new TestClusterOptions { RealZooKeeper = real, MaxSettleRounds = 1_000_000 }, ct);
        cluster.HoldBuilds(new BuildSelector());
        var changes = new List<int>();
        for (var i = 0; i < n; i++)
        {
            var c = await cluster.CreateChangeAsync(new NewChange($"org/p{i % 4}"), ct);
            cluster.Review.SetApproval(c, "Code-Review", 2, "core");
            changes.Add(c);
        }

        // Enqueue of all but the last change.
        var ops = cluster.SchedulerOps;
        var w0 = ops.Writes;
        var t0 = ops.Transactions;
        var profile = cluster.SchedulerAt(0).Profile;
        profile.Reset();
        var sw = Stopwatch.StartNew();
        foreach (var c in changes.SkipLast(1))
        {
            await cluster.ApproveAsync(c, "Approved", 1, "core", ct);
        }
        await SettleAsync(cluster, executor: true, ct);
        var enqueue = sw.Elapsed.TotalSeconds;
        var enqueueWrites = ops.Writes - w0;
        var enqueueTxns = ops.Transactions - t0;
        var enqueueProfile = Describe(profile);
        var managed = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
        var workingSet = Environment.WorkingSet / 1048576.0;

        // The scheduler's own share of that heap (the fakes, the review system and, on the embedded store, the store
        // live in this process too): the instance is replaced by a fresh one that has not read the state yet, and
        // what the collector then frees was the old instance's. The fresh instance's passes below read the state
        // again; what that adds is its state cache.
        await cluster.RestartSchedulerAsync(0, ct);
        var withoutScheduler = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
        var schedulerShare = managed - withoutScheduler;

        // One pass over the steady gate, reading the state from the store.
        var passes = new List<(double Ms, long Reads)>();
        for (var i = 0; i < 11; i++)
        {
            cluster.SchedulerAt(0).RequestProcess("gate");
            var r0 = ops.Reads;
            sw.Restart();
            await cluster.RunSchedulersUntilQuietAsync(ct);
            passes.Add((sw.Elapsed.TotalMilliseconds, ops.Reads - r0));
        }
        var pass = passes.OrderBy(p => p.Ms).ElementAt(5);
        var reloaded = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0 - withoutScheduler;
        profile = cluster.SchedulerAt(0).Profile;

        // Approval of the last change until its 10 build requests are written.
        var last = changes[^1];
        profile.Reset();
        sw.Restart();
        await cluster.ApproveAsync(last, "Approved", 1, "core", ct);
        await SettleAsync(cluster, executor: false, ct);
        var approval = sw.Elapsed.TotalMilliseconds;
        var approvalProfile = Describe(profile);
        var requests = await new JobRequestQueue<BuildRequestData>(cluster.Session, ZkPaths.ExecutorQueue(null)).GetRequestsAsync(ct);
        if (requests.Count(r => r.State == JobRequestState.Requested) != 10)
        {
            throw new InvalidOperationException($"expected 10 waiting build requests, found {requests.Count(r => r.State == JobRequestState.Requested)}");
        }
        await cluster.SettleAsync(ct);

        // Gate reset: the head's first job fails; every item behind is re-based, its builds cancelled and requested again.
        cluster.SetBuildOutcome(new BuildOutcomeRule(new BuildSelector("job1", changes[0]), "FAILURE"));
        w0 = ops.Writes;
        t0 = ops.Transactions;
        profile.Reset();
        sw.Restart();
        await cluster.ReleaseBuildsAsync(new BuildSelector("job1", changes[0]), ct);
        await cluster.Executor.RunOnceAsync(ct); // completes the released build: the failure the reset starts from
        // First until every re-based build is requested again (cancels sent, new merges, nodes and requests
        // written), as the approval figure above; then until the executor holds them all again.
        await SettleAsync(cluster, executor: false, ct);
        var resetRequested = sw.Elapsed.TotalSeconds;
        var resetWrites = ops.Writes - w0;
        var resetTxns = ops.Transactions - t0;
        var waiting = (await new JobRequestQueue<BuildRequestData>(cluster.Session, ZkPaths.ExecutorQueue(null)).GetRequestsAsync(ct))
            .Count(r => r.State == JobRequestState.Requested);
        if (waiting != (n - 1) * 10)
        {
            throw new InvalidOperationException($"expected {(n - 1) * 10} build requests waiting after the reset, found {waiting}");
        }
        sw.Restart();
        await SettleAsync(cluster, executor: true, ct);
        var reset = resetRequested + sw.Elapsed.TotalSeconds;
        var running = cluster.RunningBuilds.Count;
        var resetProfile = Describe(profile);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{n} | {enqueue:F2} ({enqueueWrites} / {enqueueTxns}) | {pass.Ms:F1} ({pass.Reads}) | {approval:F1} | {resetRequested:F2} ({resetWrites} / {resetTxns}) / {reset:F2} ({running} builds held after) | {managed:F0} | {schedulerShare:F0}; {reloaded:F0} | {workingSet:F0}"));
        Console.WriteLine($"  scheduler time in enqueue: {enqueueProfile}");
        Console.WriteLine($"  scheduler time in approval: {approvalProfile}");
        Console.WriteLine($"  scheduler time in reset: {resetProfile}");
    }

    /// <summary>
    /// <see cref="TestCluster.SettleAsync"/> with the fake workers' steps timed into the first scheduler's profile, so
    /// the report shows the time outside the scheduler too.
    /// </summary>
    private static async Task SettleAsync(TestCluster cluster, bool executor, CancellationToken ct)
    {
        var profile = cluster.SchedulerAt(0).Profile;
        while (true)
        {
            var t = Gating.Scheduler.Runtime.PassProfile.Start();
            await cluster.RunSchedulersUntilQuietAsync(ct);
            t = profile.Add("(schedulers until quiet)", t);
            var moved = await cluster.Merger.RunOnceAsync(ct);
            t = profile.Add("(fake merger)", t);
            moved = moved || await cluster.Nodes.RunOnceAsync(ct);
            t = profile.Add("(fake nodes)", t);
            moved = moved || (executor && await cluster.Executor.RunOnceAsync(ct));
            profile.Add("(fake executor)", t);
            if (!moved)
            {
                return;
            }
        }
    }

    /// <summary>The scheduler's phases, largest first: total seconds and count.</summary>
    private static string Describe(Gating.Scheduler.Runtime.PassProfile profile) =>
        string.Join(", ", profile.Snapshot().OrderByDescending(p => p.Value.Total).Select(p =>
            string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value.Total.TotalSeconds:F2}s/{p.Value.Count}")));
}

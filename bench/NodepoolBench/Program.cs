// Request-to-fulfilled latency of a running launcher on the real ZooKeeper (bench/NodepoolBench/README.md):
//   warm: min-ready keeps local hosts ready; a request is fulfilled by reuse (watch wake-up, decision, allocation);
//   cold: no ready host; the launcher creates local isolated hosts (overlay, netns, bwrap sshd) and waits for ssh.
// The clock runs from the requestor's create of the request znode to its watch seeing "fulfilled".
// Needs root, ZooKeeper and the rootfs of .ci/rootfs. Binds loopback ports 23570-23599.
//   dotnet run -c Release --project bench/NodepoolBench -- [iterations] [zookeeper hosts]
using System.Diagnostics;
using Gating.Coordination;
using Gating.Model;
using Gating.Nodepool.Config;
using Gating.Nodepool.Launcher;
using Gating.Nodepool.Providers.Local;
using Gating.Nodepool.Store;
using Gating.ZooKeeper;

var iterations = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 20;
var hosts = args.Length > 1 ? args[1]
    : Environment.GetEnvironmentVariable("GATING_ZOOKEEPER") ?? Environment.GetEnvironmentVariable("GATING_TEST_ZOOKEEPER") ?? "127.0.0.1:22181";
var rootfs = Environment.GetEnvironmentVariable("GATING_TEST_ROOTFS") ?? "/var/cache/gating/rootfs-bookworm";
if (!File.Exists(Path.Combine(rootfs, ".gating-rootfs")))
{
    Console.Error.WriteLine($"no rootfs at {rootfs}: run `bash .ci/rootfs` first");
    return 1;
}

var work = Directory.CreateTempSubdirectory("gating-np-bench-").FullName;
var chroot = $"/gating-np-bench-{Guid.NewGuid():N}";
var publicKey = await PublicKeyAsync(work);
var provider = new ProviderConfig("local", "local")
{
    Local = new LocalDriverConfig { Rootfs = rootfs, WorkDir = Path.Combine(work, "nodes"), PortFirst = 23570, PortLast = 23599, NamePrefix = "bench" },
    Pools = [new PoolConfig("main") { MaxServers = 12, Labels = [new PoolLabelConfig("debian")] }],
};

await using (var root = await ConnectAsync(hosts))
{
    await root.EnsurePathAsync(chroot, default);
}

try
{
    Console.WriteLine($"nodepool bench: {iterations} iterations, {Environment.ProcessorCount} cores, ZooKeeper {hosts}");
    Report("warm 1 node (min-ready reuse)", await RunAsync(minReady: 2, nodes: 1, iterations, warmup: 2));
    Report("cold 1 node (local host)", await RunAsync(minReady: 0, nodes: 1, iterations, warmup: 1));
    Report("cold 3 nodes (local hosts)", await RunAsync(minReady: 0, nodes: 3, Math.Max(5, iterations / 2), warmup: 0));
    return 0;
}
finally
{
    await using (var sweeper = new LocalHostProvider(provider, publicKey, TimeProvider.System))
    {
        foreach (var instance in await sweeper.ListAsync(default))
        {
            await sweeper.DeleteAsync(instance.ExternalId, default);
        }
    }

    await using (var root = await ConnectAsync(hosts))
    {
        await root.DeleteTreeAsync(chroot, default);
    }

    Directory.Delete(work, recursive: true);
}

// One launcher (its own session, watch-driven loop) and one requestor session; returns the measured samples.
async Task<List<double>> RunAsync(int minReady, int nodes, int count, int warmup)
{
    var config = new ProvidersConfig([new LabelConfig("debian") { MinReady = minReady }], [provider], []);
    await using var launcherZk = await ConnectAsync(hosts + chroot);
    await using var zuulZk = await ConnectAsync(hosts + chroot);
    var launcherStore = await ZooKeeperNodeStore.OpenAsync(launcherZk, "/nodepool", "bench-launcher", TimeProvider.System, default);
    var zuul = await ZooKeeperNodeStore.OpenAsync(zuulZk, "/nodepool", "bench-zuul", TimeProvider.System, default);
    using var stop = new CancellationTokenSource();
    await using var launcher = NodepoolLauncher.Create(config, launcherStore, "bench-launcher",
        _ => new LocalHostProvider(provider, publicKey, TimeProvider.System), TimeProvider.System);
    var running = launcher.RunAsync(new PoolWorkerTimings(), stop.Token);
    var samples = new List<double>();
    try
    {
        for (var i = 0; i < count + warmup; i++)
        {
            // Not measured: the stock is refilled (warm) or the last hosts are gone (cold) before each sample.
            await UntilAsync(zuul, async () => (await zuul.NodesAsync(default)) is var all
                && all.Count(n => n is { State: NodeState.Ready, AllocatedTo: null }) == minReady && all.Length == minReady
                && (await zuul.RequestsAsync(default)).IsEmpty);
            var watch = Stopwatch.StartNew();
            var request = await zuul.SubmitRequestAsync(new NodeRequest("", NodeRequestState.Requested, DateTimeOffset.UnixEpoch, [.. Enumerable.Repeat("debian", nodes)], "bench"), default);
            var done = await WaitDoneAsync(zuulZk, zuul, request.Id);
            watch.Stop();
            if (done.State != NodeRequestState.Fulfilled)
            {
                throw new InvalidOperationException($"request {done.Id} ended {done.State.ToWire()} (declined by {string.Join(",", done.DeclinedBy)})");
            }

            if (i >= warmup)
            {
                samples.Add(watch.Elapsed.TotalSeconds);
            }

            await UseAndReturnAsync(zuul, done);
        }
    }
    finally
    {
        await UntilAsync(zuul, async () => (await zuul.NodesAsync(default)).All(n => n.State == NodeState.Ready)); // nothing mid-launch
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }
    }

    // The stock of this phase goes to the next phase's launcher as used nodes, which its cleanup deletes.
    foreach (var node in await zuul.NodesAsync(default))
    {
        await zuul.UpdateNodeAsync(node.Id, n => n.WithState(NodeState.Used, DateTimeOffset.UnixEpoch), default);
    }

    return samples;
}

// The requestor's wait: a data watch on the request znode, re-armed until it is done.
static async Task<NodeRequest> WaitDoneAsync(IZooKeeper zk, ZooKeeperNodeStore zuul, string id)
{
    while (true)
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var data = await zk.GetDataAsync($"/nodepool/requests/{id}", _ => changed.TrySetResult(), default);
        var request = NodepoolJson.ReadRequest(id, data.Data);
        if (request.IsDone)
        {
            return request;
        }

        await changed.Task.WaitAsync(TimeSpan.FromMinutes(2));
    }
}

// The executor's part, outside the measurement: lock, accept (in-use), drop the request, return (used), unlock.
static async Task UseAndReturnAsync(ZooKeeperNodeStore zuul, NodeRequest done)
{
    var locks = new List<IAsyncDisposable>();
    foreach (var id in done.NodeIds)
    {
        locks.Add(await zuul.TryLockNodeAsync(id, default) ?? throw new InvalidOperationException($"node {id} is locked"));
    }

    var accepted = NodeSetRequests.Accept(done, await zuul.NodesAsync(default), DateTimeOffset.UnixEpoch).Nodes!.Value;
    await zuul.DeleteRequestAsync(done.Id, default);
    foreach (var node in NodeSetRequests.Return(accepted, DateTimeOffset.UnixEpoch))
    {
        await zuul.UpdateNodeAsync(node.Id, _ => node, default);
    }

    foreach (var nodeLock in locks)
    {
        await nodeLock.DisposeAsync();
    }
}

static async Task UntilAsync(ZooKeeperNodeStore zuul, Func<Task<bool>> condition)
{
    var deadline = Stopwatch.StartNew();
    while (!await condition())
    {
        if (deadline.Elapsed > TimeSpan.FromMinutes(2))
        {
            var nodes = string.Join(", ", (await zuul.NodesAsync(default)).Select(n => $"{n.Id} {n.State.ToWire()} -> {n.AllocatedTo}"));
            var requests = string.Join(", ", (await zuul.RequestsAsync(default)).Select(r => $"{r.Id} {r.State.ToWire()}"));
            throw new TimeoutException($"the launcher did not settle within 2 minutes; nodes: {nodes}; requests: {requests}");
        }

        await Task.Delay(10);
    }
}

static async Task<IZooKeeper> ConnectAsync(string connectString) =>
    await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = connectString, SessionTimeout = TimeSpan.FromSeconds(10) }, default);

static void Report(string what, List<double> samples)
{
    samples.Sort();
    double P(double q) => samples[Math.Min(samples.Count - 1, (int)Math.Floor(q * samples.Count))];
    Console.WriteLine($"{what,-32} n={samples.Count,3}  p50={P(0.5) * 1000,8:0.0} ms  p90={P(0.9) * 1000,8:0.0} ms  max={samples[^1] * 1000,8:0.0} ms");
}

static async Task<string> PublicKeyAsync(string work)
{
    var key = Environment.GetEnvironmentVariable("GATING_TEST_SSH_KEY");
    if (key is not null && File.Exists(key + ".pub"))
    {
        return (await File.ReadAllTextAsync(key + ".pub")).Trim();
    }

    var path = Path.Combine(work, "id_ed25519");
    using var keygen = Process.Start("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path])!;
    await keygen.WaitForExitAsync();
    return (await File.ReadAllTextAsync(path + ".pub")).Trim();
}

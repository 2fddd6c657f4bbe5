// Request-to-fulfilled latency of the launcher (bench/NodepoolBench/README.md):
//   warm: min-ready keeps local hosts ready; a request is fulfilled by reuse (decision + allocation);
//   cold: no ready node; the launcher creates local isolated hosts (overlay, netns, bwrap sshd) and waits for ssh.
// Needs root and the rootfs of .ci/rootfs. Binds loopback ports 23560-23599.
//   dotnet run -c Release --project bench/NodepoolBench [-- iterations]
using System.Diagnostics;
using Gating.Model;
using Gating.Nodepool.Config;
using Gating.Nodepool.Launcher;
using Gating.Nodepool.Providers.Local;

var iterations = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 20;
var rootfs = Environment.GetEnvironmentVariable("GATING_TEST_ROOTFS") ?? "/var/cache/gating/rootfs-bookworm";
if (!File.Exists(Path.Combine(rootfs, ".gating-rootfs")))
{
    Console.Error.WriteLine($"no rootfs at {rootfs}: run `bash .ci/rootfs` first");
    return 1;
}

var work = Directory.CreateTempSubdirectory("gating-np-bench-").FullName;
var publicKey = await PublicKeyAsync(work);
var provider = new ProviderConfig("local", "local")
{
    Local = new LocalDriverConfig { Rootfs = rootfs, WorkDir = Path.Combine(work, "nodes"), PortFirst = 23560, PortLast = 23599, NamePrefix = "bench" },
    Pools = [new PoolConfig("main") { MaxServers = 12, Labels = [new PoolLabelConfig("debian")] }],
};

try
{
    Console.WriteLine($"nodepool bench: {iterations} iterations, {Environment.ProcessorCount} cores");
    Report("warm 1 node (min-ready reuse)", await WarmAsync(provider, publicKey, iterations));
    Report("cold 1 node (local host)", await ColdAsync(provider, publicKey, iterations, nodes: 1));
    Report("cold 3 nodes (local hosts)", await ColdAsync(provider, publicKey, Math.Max(5, iterations / 2), nodes: 3));
    return 0;
}
finally
{
    await using var sweeper = new LocalHostProvider(provider, publicKey, TimeProvider.System);
    foreach (var instance in await sweeper.ListAsync(default))
    {
        await sweeper.DeleteAsync(instance.ExternalId, default);
    }

    Directory.Delete(work, recursive: true);
}

static async Task<List<double>> WarmAsync(ProviderConfig provider, string publicKey, int iterations)
{
    var config = new ProvidersConfig([new LabelConfig("debian") { MinReady = 2 }], [provider], []);
    var store = new InMemoryNodeStore();
    var zuul = store.Connect("zuul");
    await using var hosts = new LocalHostProvider(provider, publicKey, TimeProvider.System);
    await using var worker = new PoolWorker(config, provider, provider.Pools[0], hosts, store.Connect("launcher"), "launcher", TimeProvider.System);
    var samples = new List<double>();
    for (var i = 0; i < iterations + 2; i++)
    {
        await FillMinReadyAsync(worker, zuul, 2); // not measured: the stock is refilled between builds
        var watch = Stopwatch.StartNew();
        var request = await SubmitAsync(zuul, 1);
        await worker.AssignAsync(default);
        await worker.IdleAsync();
        var done = (await zuul.RequestsAsync(default)).Single(r => r.Id == request.Id);
        watch.Stop();
        Check(done);
        if (i >= 2)
        {
            samples.Add(watch.Elapsed.TotalSeconds); // the first two warm up the JIT
        }

        await UseAndReturnAsync(zuul, done);
    }

    return samples;
}

static async Task<List<double>> ColdAsync(ProviderConfig provider, string publicKey, int iterations, int nodes)
{
    var config = new ProvidersConfig([new LabelConfig("debian")], [provider], []);
    var store = new InMemoryNodeStore();
    var zuul = store.Connect("zuul");
    await using var hosts = new LocalHostProvider(provider, publicKey, TimeProvider.System);
    await using var worker = new PoolWorker(config, provider, provider.Pools[0], hosts, store.Connect("launcher"), "launcher", TimeProvider.System);
    var samples = new List<double>();
    for (var i = 0; i < iterations; i++)
    {
        var watch = Stopwatch.StartNew();
        var request = await SubmitAsync(zuul, nodes);
        await worker.AssignAsync(default);
        await worker.IdleAsync();
        var done = (await zuul.RequestsAsync(default)).Single(r => r.Id == request.Id);
        watch.Stop();
        Check(done);
        samples.Add(watch.Elapsed.TotalSeconds);
        await UseAndReturnAsync(zuul, done);
        await worker.CleanupAsync(default); // deletes the used hosts before the next sample
    }

    return samples;
}

static async Task FillMinReadyAsync(PoolWorker worker, InMemoryNodeStore.Session zuul, int count)
{
    while ((await zuul.NodesAsync(default)).Count(n => n is { State: NodeState.Ready, AllocatedTo: null }) < count)
    {
        await worker.RunOnceAsync(default);
        await worker.IdleAsync();
    }
}

static Task<NodeRequest> SubmitAsync(InMemoryNodeStore.Session zuul, int nodes) =>
    zuul.SubmitRequestAsync(new NodeRequest("", NodeRequestState.Requested, DateTimeOffset.UnixEpoch, [.. Enumerable.Repeat("debian", nodes)], "bench"), default);

static void Check(NodeRequest done)
{
    if (done.State != NodeRequestState.Fulfilled)
    {
        throw new InvalidOperationException($"request {done.Id} ended {done.State.ToWire()} (declined by {string.Join(",", done.DeclinedBy)})");
    }
}

// The executor's part, outside the measurement: accept (in-use), return (used), drop the request.
static async Task UseAndReturnAsync(InMemoryNodeStore.Session zuul, NodeRequest done)
{
    var accepted = NodeSetRequests.Accept(done, await zuul.NodesAsync(default), DateTimeOffset.UnixEpoch).Nodes!.Value;
    foreach (var node in NodeSetRequests.Return(accepted, DateTimeOffset.UnixEpoch))
    {
        await zuul.SaveNodeAsync(node, default);
    }

    await zuul.DeleteRequestAsync(done.Id, default);
}

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

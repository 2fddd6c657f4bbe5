using System.Globalization;
using Gating.ZooKeeper;

// ZooKeeperBench: round-trip latency (p50/p99, one request at a time) and pipelined throughput (a burst of requests
// issued at once) of create/getData/setData with 1 KB values, for Gating's client and for kazoo (sync API for
// latency, async API for throughput), against the same server in the same run. The two clients take turns in
// rounds, alternating who goes first, so that a busy machine slows both alike.
//   dotnet run -c Release --project bench/ZooKeeperBench -- [host:port] [pipelinedOps] [latencyOps] [pipelinedRounds] [latencyRounds]
var server = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("GATING_TEST_ZOOKEEPER") ?? "127.0.0.1:22181";
var ops = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
var latencyOps = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2_000;
var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 4;
var latencyRounds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 40;
var root = $"/gating-bench-{Guid.NewGuid():N}";
string[] operations = ["create", "getData", "setData"];

await using var zk = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = server }, CancellationToken.None);
await zk.CreateAsync(root, default, CreateOptions.Persistent, CancellationToken.None);
try
{
    var gating = await GatingWorkload.StartAsync(zk, root + "/gating");
    await using var kazoo = KazooWorkload.Start(server, root + "/kazoo");
    IWorkload[] clients = [gating, kazoo];
    var totals = clients.ToDictionary(c => c.Name, _ => operations.ToDictionary(op => op, _ => new Measurement()));
    foreach (var client in clients)
    {
        await client.WarmUpAsync();
    }
    foreach (var op in operations)
    {
        // Short alternating turns: the load of a shared machine changes by the second, and should hit both alike.
        for (var round = 0; round < latencyRounds; round++)
        {
            var chunk = latencyOps / latencyRounds;
            foreach (var client in round % 2 == 0 ? clients : clients.Reverse())
            {
                totals[client.Name][op].Latencies.AddRange(await client.LatencyAsync(op, round * chunk, chunk));
            }
        }
        for (var round = 0; round < rounds; round++)
        {
            var chunk = ops / rounds;
            foreach (var client in round % 2 == 0 ? clients : clients.Reverse())
            {
                var m = totals[client.Name][op];
                m.PipelinedSeconds += await client.PipelinedAsync(op, round * chunk, chunk);
                m.PipelinedOps += chunk;
            }
        }
    }
    Console.WriteLine($"server {server}; per operation: {ops} pipelined calls in bursts of {ops / rounds}, {latencyOps} sequential calls in {latencyRounds} turns; clients alternate; 1 KB values");
    Console.WriteLine($"{"op",-8} {"client",-7} {"p50 us",9} {"p99 us",9} {"ops/s",10}");
    foreach (var op in operations)
    {
        foreach (var client in clients)
        {
            var m = totals[client.Name][op];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{op,-8} {client.Name,-7} {m.P50,9:0} {m.P99,9:0} {m.OpsPerSecond,10:0}"));
        }
        var g = totals["gating"][op];
        var k = totals["kazoo"][op];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{op,-8} gating/kazoo: throughput x{g.OpsPerSecond / k.OpsPerSecond:0.0}, p50 latency {g.P50 / k.P50:0.00}x"));
    }
}
finally
{
    await Cleanup.DeleteTreeAsync(zk, root);
}

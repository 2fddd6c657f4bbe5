// Measures the embedded store on local disk: getData per second (1 KB values) and durable setData per second with
// 1 and 16 concurrent writers. Each write is fsynced before it returns, so with one writer the rate is bounded by
// the disk's fsync latency; with 16 the writer loop commits concurrent writes together (group commit).
using System.Diagnostics;
using Gating.ZooKeeper;
using Gating.ZooKeeper.Embedded;

var directory = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "gating-zk-bench-" + Guid.NewGuid().ToString("N"));
var seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
var duration = TimeSpan.FromSeconds(seconds);
const int Nodes = 1000;
var value = new byte[1024];
Random.Shared.NextBytes(value);

EmbeddedZooKeeper? currentStore = null;
await using (var store = await EmbeddedZooKeeper.OpenAsync(directory, new EmbeddedZooKeeperOptions(), CancellationToken.None))
{
    currentStore = store;
    await using var zk = await store.ConnectAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
    await zk.CreateAsync("/bench", default, CreateOptions.Persistent, CancellationToken.None);
    await Task.WhenAll(Enumerable.Range(0, 16).Select(async w =>
    {
        for (var i = w; i < Nodes; i += 16)
        {
            await zk.CreateAsync($"/bench/n{i}", value, CreateOptions.Persistent, CancellationToken.None);
        }
    }));

    Console.WriteLine($"embedded store in {directory}, {Nodes} nodes of {value.Length} bytes, {seconds} s per run, {Environment.ProcessorCount} cores");
    await RunAsync("getData, 1 reader", 1, i => zk.GetDataAsync($"/bench/n{i % Nodes}", null, CancellationToken.None));
    await RunAsync("getData, 4 readers", 4, i => zk.GetDataAsync($"/bench/n{i % Nodes}", null, CancellationToken.None));
    var before = store.LastZxid;
    await RunAsync("durable setData 1 KB, 1 writer", 1, i => zk.SetDataAsync($"/bench/n{i % Nodes}", value, -1, CancellationToken.None));
    await RunAsync("durable setData 1 KB, 16 writers", 16, i => zk.SetDataAsync($"/bench/n{i % Nodes}", value, -1, CancellationToken.None));
    await RunAsync("durable create+delete 1 KB, 16 writers", 16, async i =>
    {
        var path = $"/bench/t{i}-{Environment.CurrentManagedThreadId}-{Guid.NewGuid():N}";
        await zk.CreateAsync(path, value, CreateOptions.Persistent, CancellationToken.None);
        await zk.DeleteAsync(path, -1, CancellationToken.None);
    });
    Console.WriteLine($"{store.LastZxid - before} transactions written");
    currentStore = null;
}

var stopwatch = Stopwatch.StartNew();
await using (var reopened = await EmbeddedZooKeeper.OpenAsync(directory, new EmbeddedZooKeeperOptions(), CancellationToken.None))
{
    Console.WriteLine($"reopen (recovery) of zxid {reopened.LastZxid}: {stopwatch.ElapsedMilliseconds} ms");
}
if (args.Length == 0)
{
    Directory.Delete(directory, recursive: true);
}

async Task RunAsync(string name, int workers, Func<int, Task> operation)
{
    var flushes = currentStore?.JournalFlushes ?? 0;
    var stop = Stopwatch.StartNew();
    var counts = new long[workers];
    var latencies = new List<double>[workers];
    await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
    {
        latencies[w] = [];
        var i = w * 7919;
        while (stop.Elapsed < duration)
        {
            var started = Stopwatch.GetTimestamp();
            await operation(i++);
            latencies[w].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            counts[w]++;
        }
    })));
    var all = latencies.SelectMany(l => l).Order().ToList();
    var rate = counts.Sum() / stop.Elapsed.TotalSeconds;
    var flushed = (currentStore?.JournalFlushes ?? 0) - flushes;
    var perFlush = flushed == 0 ? "" : $"   {counts.Sum() / (double)flushed:F1} ops per fsync";
    Console.WriteLine($"{name,-42} {rate,12:N0} ops/s   p50 {all[all.Count / 2]:F3} ms   p99 {all[(int)(all.Count * 0.99)]:F3} ms{perFlush}");
}

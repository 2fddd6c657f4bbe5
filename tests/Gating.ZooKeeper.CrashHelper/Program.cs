// Writes to an EmbeddedZooKeeper (snapshotting often) as fast as it can and prints each write once it is acknowledged, until killed.
// Usage: Gating.ZooKeeper.CrashHelper <directory> <seed>
// Output lines: "C <path>" created, "d <path>" about to delete (so it may be gone without its "D"), "D <path>"
// deleted, "M <path>" multi committed, "N <n>" counter set to n.
using System.Text;
using Gating.ZooKeeper;
using Gating.ZooKeeper.Embedded;

var directory = args[0];
var seed = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
var outputLock = new object();
void Ack(string line)
{
    lock (outputLock)
    {
        output.WriteLine(line);
    }
}

// Frequent snapshots: each start replays only the journal since the last one (start-up is most of a round's cost),
// and the kills also land while snapshots are written and old journals removed.
var options = new EmbeddedZooKeeperOptions { SnapshotEveryTransactions = 300 };
await using var store = await EmbeddedZooKeeper.OpenAsync(directory, options, CancellationToken.None);
await using var zk = await store.ConnectAsync(TimeSpan.FromSeconds(4), CancellationToken.None);
foreach (var path in new[] { "/k", "/m", "/counter" })
{
    try
    {
        await zk.CreateAsync(path, Encoding.UTF8.GetBytes("0"), CreateOptions.Persistent, CancellationToken.None);
    }
    catch (ZooKeeperException e) when (e.Code == ErrorCode.NodeExists)
    {
    }
}
Ack("READY");

async Task CounterAsync()
{
    while (true)
    {
        var current = await zk.GetDataAsync("/counter", null, CancellationToken.None);
        var next = int.Parse(Encoding.UTF8.GetString(current.Data), System.Globalization.CultureInfo.InvariantCulture) + 1;
        await zk.SetDataAsync("/counter", Encoding.UTF8.GetBytes(next.ToString(System.Globalization.CultureInfo.InvariantCulture)), current.Stat.Version, CancellationToken.None);
        Ack($"N {next}");
    }
}

async Task WriterAsync(int worker)
{
    var random = new Random(seed * 31 + worker);
    var created = new List<string>();
    var payload = new byte[512];
    while (true)
    {
        var roll = random.Next(10);
        var name = $"{seed}-{worker}-{Guid.NewGuid():N}";
        if (roll < 5)
        {
            random.NextBytes(payload);
            var path = (await zk.CreateAsync("/k/" + name, Encoding.UTF8.GetBytes(name), CreateOptions.Persistent, CancellationToken.None)).Path;
            created.Add(path);
            Ack("C " + path);
        }
        else if (roll < 8)
        {
            var root = "/m/" + name;
            await zk.MultiAsync(
            [
                new Op.Create(root, Encoding.UTF8.GetBytes("pending"), CreateOptions.Persistent),
                new Op.Create(root + "/a", payload, CreateOptions.Persistent),
                new Op.Create(root + "/b", payload, CreateOptions.Persistent),
                new Op.SetData(root, Encoding.UTF8.GetBytes("done"), 0),
            ], CancellationToken.None);
            Ack("M " + root);
        }
        else if (created.Count > 0)
        {
            var victim = created[random.Next(created.Count)];
            created.Remove(victim);
            Ack("d " + victim);
            await zk.DeleteAsync(victim, -1, CancellationToken.None);
            Ack("D " + victim);
        }
    }
}

await Task.WhenAll(CounterAsync(), WriterAsync(1), WriterAsync(2), WriterAsync(3), WriterAsync(4));

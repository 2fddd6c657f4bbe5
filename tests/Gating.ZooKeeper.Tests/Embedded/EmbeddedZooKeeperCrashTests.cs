using System.Diagnostics;
using System.Text;
using Gating.ZooKeeper.Embedded;

namespace Gating.ZooKeeper.Tests.Embedded;

/// <summary>
/// Durability: a child process (Gating.ZooKeeper.CrashHelper) writes to a store and prints each acknowledged write;
/// it is killed with SIGKILL at a random point, 100 times, on the same directory. After each kill the store must
/// hold every acknowledged write, and every multi must be whole (all four ops) or absent.
/// </summary>
public sealed class EmbeddedZooKeeperCrashTests
{
    private const int Rounds = 100;
    private const int Lanes = 4;

    private sealed class Acknowledged
    {
        public HashSet<string> Created { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Deleted { get; } = new(StringComparer.Ordinal);

        /// <summary>Deletes sent but not acknowledged: durable or not, both are right.</summary>
        public HashSet<string> Deleting { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Multis { get; } = new(StringComparer.Ordinal);

        public int Counter { get; set; }

        public int Lines { get; set; }

        public void Take(string line)
        {
            Lines++;
            var value = line[2..];
            switch (line[0])
            {
                case 'C':
                    Created.Add(value);
                    break;
                case 'd':
                    Deleting.Add(value);
                    break;
                case 'D':
                    Deleted.Add(value);
                    Deleting.Remove(value);
                    Created.Remove(value);
                    break;
                case 'M':
                    Multis.Add(value);
                    break;
                case 'N':
                    Counter = Math.Max(Counter, int.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
                    break;
            }
        }
    }

    [Fact]
    public async Task Acknowledged_writes_survive_SIGKILL_at_random_points()
    {
        var helper = Path.Combine(AppContext.BaseDirectory, "Gating.ZooKeeper.CrashHelper.dll");
        Assert.True(File.Exists(helper), $"the crash helper is missing at {helper}");
        // Independent lanes (each its own directory) run side by side: process start-up dominates a round.
        var lanes = await Task.WhenAll(Enumerable.Range(0, Lanes).Select(lane => Task.Run(() => RunLaneAsync(helper, lane))));
        var acknowledged = lanes.Sum();
        Assert.True(acknowledged > Rounds, $"only {acknowledged} writes were acknowledged in {Rounds} rounds");
    }

    private static async Task<int> RunLaneAsync(string helper, int lane)
    {
        using var test = new EmbeddedTestStore();
        var acknowledged = new Acknowledged();
        var random = new Random(20261125 + lane);
        for (var round = lane; round < Rounds; round += Lanes)
        {
            // Kill after a random number of acknowledged writes, or at once after READY, or mid-recovery.
            var killAfter = random.Next(-1, 40);
            await RunAndKillAsync(helper, test.Directory, round, killAfter, acknowledged);
            await VerifyAsync(test.Directory, acknowledged, round);
        }
        return acknowledged.Lines;
    }

    private static async Task RunAndKillAsync(string helper, string directory, int round, int killAfter, Acknowledged acknowledged)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(helper);
        start.ArgumentList.Add(directory);
        start.ArgumentList.Add(round.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var ready = false;
        var seen = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (true)
            {
                if (killAfter < 0 && !ready)
                {
                    break; // kill while it is still opening (recovering) the store
                }
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                {
                    Assert.Fail($"round {round}: the helper exited early: {await stderr}");
                }
                if (line == "READY")
                {
                    ready = true;
                    if (killAfter == 0)
                    {
                        break;
                    }
                    continue;
                }
                acknowledged.Take(line);
                if (++seen >= killAfter)
                {
                    break;
                }
            }
        }
        finally
        {
                process.Kill(); // SIGKILL on Unix: no finally blocks, no flushes, no disposal in the child
        }
        // Writes acknowledged between the decision and the kill were printed too: take them all.
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } rest)
        {
            if (rest != "READY")
            {
                acknowledged.Take(rest);
            }
        }
        await process.WaitForExitAsync(timeout.Token);
    }

    private static async Task VerifyAsync(string directory, Acknowledged acknowledged, int round)
    {
        await using var store = await EmbeddedZooKeeper.OpenAsync(directory, new EmbeddedZooKeeperOptions(), CancellationToken.None);
        var state = store.State;
        foreach (var path in acknowledged.Created)
        {
            if (acknowledged.Deleting.Contains(path))
            {
                if (!state.Nodes.ContainsKey(path))
                {
                    acknowledged.Deleting.Remove(path); // the delete was durable though unacknowledged
                    acknowledged.Deleted.Add(path);
                }
                continue;
            }
            Assert.True(state.Nodes.TryGetValue(path, out var node), $"round {round}: acknowledged create {path} is missing");
            Assert.Equal(path[3..], Encoding.UTF8.GetString(node.Data));
        }
        acknowledged.Created.ExceptWith(acknowledged.Deleted);
        foreach (var path in acknowledged.Deleted)
        {
            Assert.False(state.Nodes.ContainsKey(path), $"round {round}: acknowledged delete {path} is undone");
        }
        foreach (var path in acknowledged.Multis)
        {
            Assert.True(state.Nodes.ContainsKey(path), $"round {round}: acknowledged multi {path} is missing");
        }
        if (state.Nodes.TryGetValue("/m", out var multis))
        {
            foreach (var child in multis.Children)
            {
                var root = "/m/" + child;
                var node = state.Nodes[root];
                Assert.True(
                    Encoding.UTF8.GetString(node.Data) == "done" && node.Version == 1
                    && state.Nodes.ContainsKey(root + "/a") && state.Nodes.ContainsKey(root + "/b"),
                    $"round {round}: multi {root} is half applied");
            }
        }
        if (state.Nodes.TryGetValue("/counter", out var counter))
        {
            var value = int.Parse(Encoding.UTF8.GetString(counter.Data), System.Globalization.CultureInfo.InvariantCulture);
            // The last increment may have been durable but not yet acknowledged when the child died.
            Assert.InRange(value, acknowledged.Counter, acknowledged.Counter + 1);
            acknowledged.Counter = value;
        }
    }
}

using System.Globalization;
using System.Text;

namespace Gating.ZooKeeper.Tests.TestServers;

/// <summary>
/// Real ZooKeeper servers that a fault test starts and stops itself: one standalone server or a 3-node ensemble,
/// on the loopback ports of the test assembly (LoopbackPorts.Range.cs). Short ticks keep session timeouts (2 to 20 ticks) small, so faults play out fast.
/// </summary>
public sealed class ZooKeeperTestCluster : IAsyncDisposable
{
    /// <summary>Ticks of 250 ms: sessions may last from 0.5 s to <see cref="MaxSessionTimeoutMilliseconds"/>.</summary>
    public const int TickMilliseconds = 250;

    /// <summary>Long enough for a session to outlive a server restart on a busy machine.</summary>
    public const int MaxSessionTimeoutMilliseconds = 60_000;

    private readonly string? _root;

    private ZooKeeperTestCluster(IReadOnlyList<ZooKeeperTestServer> servers, string? root = null)
    {
        Servers = servers;
        _root = root;
    }

    public IReadOnlyList<ZooKeeperTestServer> Servers { get; }

    public string ConnectString => string.Join(",", Servers.Select(s => s.Endpoint));

    public static async Task<ZooKeeperTestCluster> StartStandaloneAsync()
    {
        var port = LoopbackPorts.ForRealServers(1)[0];
        var directory = NewDirectory();
        var server = new ZooKeeperTestServer(1, port, directory, Config(directory, port, quorum: null));
        var cluster = new ZooKeeperTestCluster([server]);
        return await StartedAsync(cluster, async () =>
        {
            server.Start();
            await server.WaitServingAsync();
        });
    }

    public static async Task<ZooKeeperTestCluster> StartEnsembleAsync()
    {
        var ports = LoopbackPorts.ForRealServers(9);
        var root = NewDirectory();
        var quorum = new StringBuilder();
        for (var i = 0; i < 3; i++)
        {
            quorum.Append(CultureInfo.InvariantCulture, $"server.{i + 1}=127.0.0.1:{ports[3 + (2 * i)]}:{ports[4 + (2 * i)]}\n");
        }
        var servers = Enumerable.Range(0, 3).Select(i =>
        {
            var directory = Path.Combine(root, $"server{i + 1}");
            return new ZooKeeperTestServer(i + 1, ports[i], directory, Config(directory, ports[i], quorum.ToString()));
        }).ToList();
        var cluster = new ZooKeeperTestCluster(servers, root);
        return await StartedAsync(cluster, async () =>
        {
            foreach (var server in servers)
            {
                server.Start();
            }
            await Task.WhenAll(servers.Select(s => s.WaitServingAsync(TimeSpan.FromSeconds(90))));
        });
    }

    /// <summary>Runs the start; if it fails, stops whatever did start so that no JVM outlives the test.</summary>
    private static async Task<ZooKeeperTestCluster> StartedAsync(ZooKeeperTestCluster cluster, Func<Task> start)
    {
        try
        {
            await start();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The server that is the leader now.</summary>
    public async Task<ZooKeeperTestServer> LeaderAsync()
    {
        foreach (var server in Servers.Where(s => s.IsRunning))
        {
            if (await server.ModeAsync() == "leader")
            {
                return server;
            }
        }
        throw new InvalidOperationException("no leader in the ensemble");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Servers)
        {
            await server.DisposeAsync();
        }
        if (_root is not null && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), $"gating-zk-fault-{Guid.NewGuid():N}");

    private static string Config(string directory, int clientPort, string? quorum) =>
        $"""
        tickTime={TickMilliseconds}
        maxSessionTimeout={MaxSessionTimeoutMilliseconds}
        initLimit=20
        syncLimit=8
        dataDir={Path.Combine(directory, "data")}
        clientPort={clientPort}
        clientPortAddress=127.0.0.1
        admin.enableServer=false
        4lw.commands.whitelist=*
        maxClientCnxns=0
        extendedTypesEnabled=true
        reconfigEnabled=false
        electionPortBindRetry=10
        {quorum}
        """;
}

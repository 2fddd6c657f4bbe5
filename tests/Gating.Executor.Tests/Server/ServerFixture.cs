using System.Collections.Immutable;
using Gating.Coordination;
using Gating.Executor.Build;
using Gating.Executor.Git;
using Gating.Executor.Merger;
using Gating.Executor.Server;
using Gating.Model;
using Gating.Model.Events;
using Gating.Model.Json;
using Gating.Model.Requests;
using Gating.Nodepool.Store;
using Gating.Testing.Git;
using Gating.ZooKeeper;

namespace Gating.Executor.Tests.Server;

/// <summary>
/// The real ZooKeeper (GATING_TEST_ZOOKEEPER) under a chroot of its own, a git server, the real SSH test node
/// registered as a ready node in nodepool's store, and executor servers started on demand.
/// </summary>
internal sealed class ServerFixture : IAsyncDisposable
{
    public const string Connection = "review";
    public const string Tenant = "tenant-one";
    public const string Pipeline = "check";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "gating-server-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<(CancellationTokenSource Stop, Task Run)> _servers = [];
    private readonly List<IZooKeeper> _sessions = [];

    private ServerFixture(string chroot, IZooKeeper zk)
    {
        Chroot = chroot;
        Zk = zk;
        Server = GitTestServer.Create();
        var address = Environment.GetEnvironmentVariable("GATING_TEST_SSH");
        var key = Environment.GetEnvironmentVariable("GATING_TEST_SSH_KEY");
        Assert.False(string.IsNullOrEmpty(address) || string.IsNullOrEmpty(key) || !File.Exists(key),
            "GATING_TEST_SSH and GATING_TEST_SSH_KEY must be set: run `bash .ci/services start` and export what it prints");
        var colon = address!.LastIndexOf(':');
        (NodeHost, NodePort, KeyFile) = (address[..colon], int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), key!);
        Builds = new JobRequestQueue<BuildRequestData>(zk, ZkPaths.ExecutorQueue(null));
        Merges = new JobRequestQueue<MergeRequestData>(zk, ZkPaths.MergerQueue);
        Results = new EventQueue(zk, ZkPaths.PipelineResultEvents(Tenant, Pipeline));
    }

    /// <summary>"host:port" of the real ZooKeeper; fails the test clearly when it is not configured.</summary>
    public static string ZooKeeperServer
    {
        get
        {
            var value = Environment.GetEnvironmentVariable("GATING_TEST_ZOOKEEPER");
            Assert.False(string.IsNullOrWhiteSpace(value),
                "GATING_TEST_ZOOKEEPER is not set: start the test servers with `bash .ci/services start` and export what it prints");
            return value!;
        }
    }

    public string Chroot { get; }

    public string ConnectString => ZooKeeperServer + Chroot;

    public IZooKeeper Zk { get; }

    public GitTestServer Server { get; }

    public string NodeHost { get; }

    public int NodePort { get; }

    public string KeyFile { get; }

    public string Root => _root;

    public JobRequestQueue<BuildRequestData> Builds { get; }

    public JobRequestQueue<MergeRequestData> Merges { get; }

    public EventQueue Results { get; }

    public static async Task<ServerFixture> CreateAsync()
    {
        var chroot = "/gating-executor-test-" + Guid.NewGuid().ToString("N");
        await using (var root = await ConnectAsync(ZooKeeperServer, TimeSpan.FromSeconds(10)))
        {
            await root.CreateAsync(chroot, default, CreateOptions.Persistent, CancellationToken.None);
        }
        return new ServerFixture(chroot, await ConnectAsync(ZooKeeperServer + chroot, TimeSpan.FromSeconds(10)));
    }

    public static async Task<IZooKeeper> ConnectAsync(string connectString, TimeSpan sessionTimeout) =>
        await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = connectString, SessionTimeout = sessionTimeout }, CancellationToken.None);

    public static BuildProject Project(string name) => new(Connection, name, "review.example.org");

    /// <summary>The SSH test node as a ready node in nodepool's store; returns its id.</summary>
    public async Task<string> AddNodeAsync()
    {
        var store = await ZooKeeperNodeStore.OpenAsync(Zk, ZkPaths.NodepoolRoot, CancellationToken.None);
        var id = await store.NewNodeIdAsync(CancellationToken.None);
        await store.SaveNodeAsync(new Node(id, NodeState.Ready, DateTimeOffset.UtcNow, "static", "main", ["debian"])
        {
            InterfaceIp = NodeHost,
            ConnectionPort = NodePort,
            Username = "root",
            PythonPath = "/usr/bin/python3",
            AllocatedTo = "100-0000000001",
        }, CancellationToken.None);
        return id;
    }

    public async Task<Node> ReadNodeAsync(string id)
    {
        var data = await Zk.GetDataAsync(ZkPaths.Node(id), null, CancellationToken.None);
        return NodepoolJson.ReadNode(id, data.Data);
    }

    public static BuildParameters Parameters(string job, string? nodeId, params BuildPlaybook[] run) => new()
    {
        BuildId = Guid.NewGuid().ToString("N"),
        BuildSetId = Guid.NewGuid().ToString("N"),
        Tenant = Tenant,
        Pipeline = Pipeline,
        Job = job,
        Project = Project("org/project"),
        Branch = "main",
        ConfiguredTime = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero),
        Timeout = TimeSpan.FromMinutes(3),
        Run = [.. run],
        Nodes = nodeId is null ? [] : [new BuildNodeRef(["node1"], "debian", nodeId)],
    };

    // ModelJson cannot write a default ImmutableArray: every array of a request record is set (the scheduler must too).
    public static BuildPlaybook Playbook(string path, bool trusted = false) => new(Project("org/project"), "main", path, trusted, [], []);

    /// <summary>Submits a build request for <paramref name="parameters"/> (uuid = build id).</summary>
    public Task<JobRequest<BuildRequestData>> SubmitAsync(BuildParameters parameters, int precedence = JobPrecedence.Normal, string? zone = null) =>
        new JobRequestQueue<BuildRequestData>(Zk, ZkPaths.ExecutorQueue(zone)).SubmitAsync(new JobRequest<BuildRequestData>
        {
            Uuid = parameters.BuildId,
            Precedence = precedence,
            Data = new BuildRequestData(parameters.BuildSetId, parameters.Job, Tenant, Pipeline, "event-" + parameters.BuildId[..6], zone),
        }, ModelJson.Serialize(parameters), waitForResult: false, CancellationToken.None);

    /// <summary>Starts an executor server in this process on its own session.</summary>
    public async Task<ExecutorServer> StartExecutorAsync(string hostname, Func<ExecutorServerOptions, ExecutorServerOptions>? configure = null)
    {
        var zk = await ConnectAsync(ConnectString, TimeSpan.FromSeconds(10));
        _sessions.Add(zk);
        var state = Path.Combine(_root, hostname);
        var options = new ExecutorOptions
        {
            JobRoot = Path.Combine(state, "builds"),
            StateRoot = Path.Combine(state, "state"),
            Hostname = hostname,
            PrivateKeyFile = KeyFile,
            DefaultUsername = "root",
        };
        var cache = new RepositoryCache(Path.Combine(state, "state", "git"), new GitRunner(new GitOptions(), TimeProvider.System),
            new BaseUrlRepositoryLocator(new Dictionary<string, string> { [Connection] = Server.FileBaseUrl }));
        var serverOptions = new ExecutorServerOptions
        {
            Hostname = hostname,
            PollInterval = TimeSpan.FromSeconds(1),
            Governor = new GovernorLimits { MaxBuilds = 4, LoadMultiplier = null, MinAvailableMemoryPercent = null },
        };
        var server = new ExecutorServer(zk, configure?.Invoke(serverOptions) ?? serverOptions, new BuildRunner(options, cache, TimeProvider.System),
            new MergeService(cache, Path.Combine(state, "merger")), TimeProvider.System);
        var stop = new CancellationTokenSource();
        _servers.Add((stop, Task.Run(() => server.RunAsync(stop.Token))));
        return server;
    }

    /// <summary>The pipeline result events so far, in order.</summary>
    public async Task<IReadOnlyList<PipelineEvent>> EventsAsync() =>
        [.. (await Results.ReadAsync(CancellationToken.None)).Select(e => ResultEventJson.Deserialize(e.Payload))];

    /// <summary>Waits (up to <paramref name="timeout"/>, default 90 s) until the result queue holds an event matching <paramref name="match"/>.</summary>
    public async Task<T> WaitForEventAsync<T>(Func<T, bool> match, TimeSpan? timeout = null) where T : PipelineEvent
    {
        T? found = null;
        await WaitUntilAsync(async () => (found = (await EventsAsync()).OfType<T>().FirstOrDefault(match)) is not null, timeout,
            () => $"no {typeof(T).Name} arrived; events: {string.Join(", ", EventsAsync().Result.Select(e => e.ToString()))}");
        return found!;
    }

    /// <summary>Polls a condition until it holds; fails with <paramref name="describe"/> after the timeout.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, Func<string>? describe = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        while (!await condition())
        {
            if (cts.IsCancellationRequested)
            {
                Assert.Fail("condition not met in time: " + (describe?.Invoke() ?? ""));
            }
            await Task.Delay(100, CancellationToken.None);
        }
    }

    public async Task StopExecutorsAsync()
    {
        foreach (var (stop, _) in _servers)
        {
            await stop.CancelAsync();
        }
        foreach (var (_, run) in _servers)
        {
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
                // Stopped while starting up.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopExecutorsAsync();
        foreach (var (stop, _) in _servers)
        {
            stop.Dispose();
        }
        foreach (var session in _sessions)
        {
            await session.DisposeAsync();
        }
        await Zk.DisposeAsync();
        await using (var root = await ConnectAsync(ZooKeeperServer, TimeSpan.FromSeconds(10)))
        {
            await root.DeleteTreeAsync(Chroot, CancellationToken.None);
        }
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

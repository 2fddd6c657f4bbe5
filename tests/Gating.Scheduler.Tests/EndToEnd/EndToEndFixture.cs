using System.Collections.Immutable;
using Gating.Config.Loading;
using Gating.Config.Parsing;
using Gating.Config.Secrets;
using Gating.Coordination;
using Gating.Executor.Build;
using Gating.Executor.Git;
using Gating.Executor.Merger;
using Gating.Executor.Server;
using Gating.Nodepool.Config;
using Gating.Nodepool.Launcher;
using Gating.Nodepool.Providers.Static;
using Gating.Nodepool.Store;
using Gating.Scheduler.Nodes;
using Gating.Scheduler.Runtime;
using Gating.Scheduler.Sources;
using Gating.Testing.Fakes;
using Gating.Testing.Git;
using Gating.ZooKeeper;

namespace Gating.Scheduler.Tests.EndToEnd;

/// <summary>
/// The whole system on the real servers, each component on its own ZooKeeper session under a chroot of its own:
/// the scheduler runtime (with <see cref="NodepoolNodeProvisioner"/>), nodepool's launcher with a static provider on
/// the sshd test node (GATING_TEST_SSH), and the executor server (builds and merges, real git and ansible-playbook).
/// The review system is the test kit's <see cref="FakeReviewSystem"/> (events, layout files, votes); the same files
/// and changes are also committed to real git repositories (<see cref="GitTestServer"/>) that the executor fetches.
/// </summary>
internal sealed class EndToEndFixture : IAsyncDisposable
{
    public const string Connection = "gerrit";
    public const string TenantName = "tenant-one";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "gating-e2e-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<IZooKeeper> _sessions = [];
    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];
    private readonly string _chroot = "/gating-sched-e2e-" + Guid.NewGuid().ToString("N");

    private EndToEndFixture()
    {
        Git = GitTestServer.Create();
        Keys = new ProjectKeyStore(Path.Combine(_root, "keys"), keySizeBits: 2048);
    }

    /// <summary>Real git repositories the executor fetches from.</summary>
    public GitTestServer Git { get; }

    /// <summary>The projects' secret keys.</summary>
    public ProjectKeyStore Keys { get; }

    /// <summary>The review system.</summary>
    public FakeReviewSystem Review { get; private set; } = null!;

    /// <summary>A session for looking at znodes.</summary>
    public IZooKeeper Zk { get; private set; } = null!;

    /// <summary>The scheduler.</summary>
    public global::Gating.Scheduler.Runtime.Scheduler Scheduler { get; private set; } = null!;

    /// <summary>The node provisioner the scheduler uses.</summary>
    public NodepoolNodeProvisioner Nodes { get; private set; } = null!;

    /// <summary>The ZooKeeper test server; fails the test clearly when it is not configured.</summary>
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

    /// <summary>The sshd test node and the key that logs in as root there.</summary>
    public static (string Host, int Port, string Key) SshNode
    {
        get
        {
            var address = Environment.GetEnvironmentVariable("GATING_TEST_SSH");
            var key = Environment.GetEnvironmentVariable("GATING_TEST_SSH_KEY");
            Assert.False(string.IsNullOrEmpty(address) || string.IsNullOrEmpty(key) || !File.Exists(key),
                "GATING_TEST_SSH and GATING_TEST_SSH_KEY must be set: run `bash .ci/services start` and export what it prints");
            var colon = address!.LastIndexOf(':');
            return (address[..colon], int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), key!);
        }
    }

    /// <summary>
    /// Creates the repositories (<paramref name="projects"/> makes them with the key store at hand: project -> files of
    /// its master branch, in both the review system and git) and starts every component for <paramref name="tenantYaml"/>.
    /// </summary>
    public static async Task<EndToEndFixture> StartAsync(string tenantYaml, Func<ProjectKeyStore, Task<Dictionary<string, Dictionary<string, string>>>> projects)
    {
        var fx = new EndToEndFixture();
        try
        {
            await fx.InitAsync(tenantYaml, await projects(fx.Keys));
        }
        catch
        {
            await fx.DisposeAsync();
            throw;
        }
        return fx;
    }

    private async Task InitAsync(string tenantYaml, IReadOnlyDictionary<string, Dictionary<string, string>> projects)
    {
        var ssh = SshNode;
        await using (var root = await ConnectAsync(ZooKeeperServer))
        {
            await root.CreateAsync(_chroot, default, CreateOptions.Persistent, CancellationToken.None);
        }
        Zk = await SessionAsync();
        Review = new FakeReviewSystem(Connection, (evt, ct) => global::Gating.Scheduler.Runtime.Scheduler.PutConnectionEventAsync(Zk, evt, ct));
        foreach (var (project, files) in projects)
        {
            Review.SetBranch(project, "master", files);
            await Git.CreateProjectAsync(project, files, "master");
        }

        var (file, errors) = TenantFileParser.Parse(tenantYaml, "main.yaml");
        Assert.DoesNotContain(errors, e => e.IsError);
        var tenant = file.Tenants[0];

        // Nodepool: the sshd test node as a static provider.
        var launcherStore = await ZooKeeperNodeStore.OpenAsync(await SessionAsync(), ZkPaths.NodepoolRoot, "launcher", TimeProvider.System, CancellationToken.None);
        var node = new StaticNodeConfig(ssh.Host, ["debian"])
        {
            Username = "root",
            ConnectionPort = ssh.Port,
            MaxParallelJobs = 2,
            ShellType = "sh",
            PythonPath = "/usr/bin/python3",
        };
        var providers = new ProvidersConfig([new LabelConfig("debian")],
            [new ProviderConfig("static", "static") { Pools = [new PoolConfig("main") { Nodes = [node], Labels = [new PoolLabelConfig("debian")] }] }], []);
        var launcher = NodepoolLauncher.Create(providers, launcherStore, "launcher", p => new StaticNodeProvider(p), TimeProvider.System);
        _disposables.Add(launcher);
        _running.Add(launcher.RunAsync(new PoolWorkerTimings { Cleanup = TimeSpan.FromMilliseconds(300) }, _stop.Token));

        // The executor server: builds and merges from the git server.
        var state = Path.Combine(_root, "executor");
        var cache = new RepositoryCache(Path.Combine(state, "git"), new GitRunner(new GitOptions(), TimeProvider.System),
            new BaseUrlRepositoryLocator(new Dictionary<string, string> { [Connection] = Git.FileBaseUrl }));
        var executor = new ExecutorServer(await SessionAsync(),
            new ExecutorServerOptions
            {
                Hostname = "exec-e2e",
                PollInterval = TimeSpan.FromSeconds(1),
                Governor = new GovernorLimits { MaxBuilds = 4, LoadMultiplier = null, MinAvailableMemoryPercent = null },
            },
            new BuildRunner(new ExecutorOptions
            {
                JobRoot = Path.Combine(state, "builds"),
                StateRoot = Path.Combine(state, "state"),
                Hostname = "exec-e2e",
                PrivateKeyFile = ssh.Key,
                DefaultUsername = "root",
            }, cache, TimeProvider.System),
            new MergeService(cache, Path.Combine(state, "merger")), TimeProvider.System);
        _running.Add(Task.Run(() => executor.RunAsync(_stop.Token)));

        // The scheduler and its node provisioner.
        var schedulerZk = await SessionAsync();
        Nodes = new NodepoolNodeProvisioner(schedulerZk, TimeProvider.System, "gating-e2e");
        _running.Add(Task.Run(() => Nodes.RunAsync(_stop.Token)));
        Scheduler = new global::Gating.Scheduler.Runtime.Scheduler(schedulerZk, new SchedulerOptions
        {
            Tenant = tenant.Name,
            Sources = new Dictionary<string, IChangeSource> { [Connection] = Review },
            Reporters = new Dictionary<string, IReporter> { [Connection] = Review },
            Nodes = Nodes,
            ProjectKeys = Keys,
            LoadLayout = _ => Task.FromResult(TenantLoader.Load(tenant, Review, file.GlobalSemaphores)),
            Name = "scheduler-e2e",
        });
        await Scheduler.StartAsync(CancellationToken.None);
        Assert.Empty(Scheduler.Tenant.Layout.Errors.Where(e => e.IsError));
        _running.Add(Task.Run(() => Scheduler.RunAsync(_stop.Token)));
    }

    /// <summary>Creates change <c>number</c> in both the review system and git (its first patchset), sending nothing.</summary>
    public async Task<int> CreateChangeAsync(string project, Dictionary<string, string?> files, string subject)
    {
        var number = Review.CreateChange(project, "master", subject, files, null, [], null);
        var change = await Git.CreateChangeAsync(project, "master", number, 1, files, subject);
        Assert.Equal(Review[number].Ref, change.Ref);
        return number;
    }

    /// <summary>Waits (up to 3 minutes) until <paramref name="condition"/> holds; fails with <paramref name="describe"/>.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, Func<string> describe)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail("not reached in time: " + describe());
            }
            var failed = _running.FirstOrDefault(t => t.IsFaulted);
            if (failed is not null)
            {
                Assert.Fail("a component stopped: " + failed.Exception);
            }
            await Task.Delay(200, CancellationToken.None);
        }
    }

    /// <summary>Waits until an async condition holds.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> describe)
    {
        var met = false;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (!(met = await condition()) && !timeout.IsCancellationRequested)
        {
            await Task.Delay(200, CancellationToken.None);
        }
        Assert.True(met, "not reached in time: " + describe());
    }

    private async Task<IZooKeeper> SessionAsync()
    {
        var zk = await ConnectAsync(ZooKeeperServer + _chroot);
        _sessions.Add(zk);
        return zk;
    }

    private static async Task<IZooKeeper> ConnectAsync(string connectString) =>
        await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = connectString, SessionTimeout = TimeSpan.FromSeconds(10) }, CancellationToken.None);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var task in _running)
        {
            try
            {
                await task;
            }
            catch (Exception e) when (e is OperationCanceledException or ZooKeeperException)
            {
                // Stopped.
            }
        }
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
        foreach (var session in _sessions)
        {
            await session.DisposeAsync();
        }
        _stop.Dispose();
        try
        {
            await using var root = await ConnectAsync(ZooKeeperServer);
            await root.DeleteTreeAsync(_chroot, CancellationToken.None);
        }
        catch (ZooKeeperException)
        {
            // Left for the next run's operator; the chroot is unique.
        }
        await Git.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

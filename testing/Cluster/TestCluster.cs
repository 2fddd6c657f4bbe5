using System.Collections.Immutable;
using Gating.Config.Loading;
using Gating.Config.Model;
using Gating.Config.Parsing;
using Gating.Scheduler.Runtime;
using Gating.Scheduler.Sources;
using Gating.Testing.Fakes;
using Gating.Testing.Scenarios;
using Gating.ZooKeeper;
using Microsoft.Extensions.Time.Testing;

namespace Gating.Testing.Cluster;

/// <summary>
/// The whole system in one process (testing/Cluster/README.md): scheduler instances on a ZooKeeper store, the fake
/// review system, the recording executor, the fake merger and the node provisioner, all on one fake clock.
/// Nothing runs in the background: <see cref="SettleAsync"/> drives every component round by round until a
/// whole round finds nothing to do, so "settled" is a fact, not a guess, and no test ever sleeps.
/// </summary>
public sealed partial class TestCluster : IScenarioCluster
{
    private readonly ClusterStore _store;
    private readonly TestClusterOptions _options;
    private readonly TenantFileConfig _tenantFile;
    private readonly List<SchedulerSlot> _schedulers = [];
    private readonly List<IZooKeeper> _sessions = [];
    private IZooKeeper _session = null!;

    private sealed class SchedulerSlot
    {
        public required int Index { get; init; }
        public required IZooKeeper Session { get; set; }
        public required Scheduler.Runtime.Scheduler Scheduler { get; set; }
    }

    private TestCluster(ClusterStore store, TestClusterOptions options, TenantFileConfig tenantFile, FakeTimeProvider time, string connection)
    {
        _store = store;
        _options = options;
        _tenantFile = tenantFile;
        Time = time;
        Connection = connection;
    }

    /// <summary>The fake clock every component uses.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>The review system's connection name.</summary>
    public string Connection { get; }

    /// <summary>The tenant.</summary>
    public TenantConfig Tenant => _tenantFile.Tenants[0];

    /// <summary>The fake review system.</summary>
    public FakeReviewSystem Review { get; private set; } = null!;

    /// <summary>The recording executor.</summary>
    public RecordingExecutor Executor { get; private set; } = null!;

    /// <summary>The fake merger.</summary>
    public FakeMerger Merger { get; private set; } = null!;

    /// <summary>The node provisioner.</summary>
    public FakeNodeProvisioner Nodes { get; private set; } = null!;

    /// <summary>ZooKeeper operations of the scheduler instances (all of them, since the start).</summary>
    public ZooKeeperOpCounter SchedulerOps { get; } = new();

    /// <summary>A session for reading the store (tests inspect znodes through it).</summary>
    public IZooKeeper Session => _session;

    /// <summary>Scheduler instance <paramref name="index"/>.</summary>
    public Scheduler.Runtime.Scheduler SchedulerAt(int index) => _schedulers[index].Scheduler;

    /// <summary>Starts a cluster for <paramref name="setup"/>.</summary>
    public static async Task<TestCluster> StartAsync(ClusterSetup setup, TestClusterOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        options ??= new TestClusterOptions();
        var (file, errors) = TenantFileParser.Parse(setup.TenantYaml, "main.yaml");
        if (errors.Any(e => e.IsError) || file.Tenants.IsDefaultOrEmpty)
        {
            throw new ArgumentException("the tenant file has errors: " + string.Join("; ", errors.Select(e => e.ToString())), nameof(setup));
        }
        var time = new FakeTimeProvider(setup.StartTime ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = options.RealZooKeeper ? ClusterStore.Real() : ClusterStore.Embedded(time);
        var cluster = new TestCluster(store, options, file, time, setup.Connection);
        try
        {
            await cluster.InitAsync(setup, cancellationToken);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    private async Task InitAsync(ClusterSetup setup, CancellationToken cancellationToken)
    {
        _session = await ConnectAsync(cancellationToken);
        Review = new FakeReviewSystem(Connection, (evt, ct) => Scheduler.Runtime.Scheduler.PutConnectionEventAsync(_session, evt, ct));
        foreach (var repo in setup.Repos)
        {
            var existing = Review.Tip(repo.Project, repo.Branch);
            if (existing.Sha.Length == 0)
            {
                Review.SetBranch(repo.Project, repo.Branch, repo.Files.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value!));
            }
            else
            {
                Review.Commit(repo.Project, repo.Branch, repo.Files, "Initial files");
            }
        }
        foreach (var project in Tenant.ProjectsInLoadOrder.Where(p => Review.BranchesOf(p.Name).IsEmpty))
        {
            Review.SetBranch(project.Name, "master", new Dictionary<string, string> { ["README"] = project.Name + "\n" });
        }
        Executor = new RecordingExecutor(await ConnectAsync(cancellationToken), Time);
        Merger = new FakeMerger(await ConnectAsync(cancellationToken), Review, Time);
        Nodes = new FakeNodeProvisioner(await ConnectAsync(cancellationToken));
        for (var i = 0; i < _options.Schedulers; i++)
        {
            var slot = new SchedulerSlot { Index = i, Session = null!, Scheduler = null! };
            await StartSchedulerAsync(slot, cancellationToken);
            _schedulers.Add(slot);
        }
    }

    private async Task StartSchedulerAsync(SchedulerSlot slot, CancellationToken cancellationToken)
    {
        slot.Session = new CountingZooKeeper(await ConnectAsync(cancellationToken), SchedulerOps);
        var index = slot.Index;
        var options = new SchedulerOptions
        {
            Tenant = Tenant.Name,
            Sources = new Dictionary<string, IChangeSource> { [Connection] = Review },
            Reporters = new Dictionary<string, IReporter> { [Connection] = Review },
            Nodes = Nodes,
            LoadLayout = _ => Task.FromResult(TenantLoader.Load(Tenant, Review, _tenantFile.GlobalSemaphores)),
            Time = Time,
            Name = $"scheduler-{index}",
            Checkpoint = _options.Checkpoint is { } hook ? where => hook(index, where) : null,
        };
        slot.Scheduler = new Scheduler.Runtime.Scheduler(slot.Session, options);
        await slot.Scheduler.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Kills scheduler instance <paramref name="index"/> (its session ends without cleanup; whatever it was doing
    /// stops) and starts a fresh instance in its place on the same store.
    /// </summary>
    public async Task RestartSchedulerAsync(int index, CancellationToken cancellationToken)
    {
        var slot = _schedulers[index];
        await _store.KillAsync(slot.Session, cancellationToken);
        await StartSchedulerAsync(slot, cancellationToken);
    }

    /// <summary>The tenant layout's config errors (the loaded layout of the first instance).</summary>
    public ImmutableArray<string> ConfigErrors => SchedulerAt(0).Tenant.Layout.Errors.Where(e => e.IsError).Select(e => e.ToString()).ToImmutableArray();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions)
        {
            try
            {
                await session.DisposeAsync();
            }
            catch (ZooKeeperException)
            {
                // Killed sessions are already gone.
            }
        }
        await _store.DisposeAsync();
    }

    private async Task<IZooKeeper> ConnectAsync(CancellationToken cancellationToken)
    {
        var session = await _store.ConnectAsync(cancellationToken);
        _sessions.Add(session);
        return session;
    }
}

// A one-task playbook on the SSH test node, three ways, interleaved so machine load affects all alike:
//   bare   - the same ansible-playbook run by hand (inventory file, pipelining, no sandbox), with a fresh ssh master
//            (cold, as every build has) and reusing the previous run's (warm);
//   runner - BuildRunner.RunAsync from parameters to result (git cache + workspace + merge + sandbox + agent);
//   queue  - a build request submitted to the executor queue on the real ZooKeeper until its build-completed event
//            is on the pipeline's result queue (executor server, node locked in nodepool's store, events, completion).
// Usage: GATING_TEST_ZOOKEEPER=127.0.0.1:22181 GATING_TEST_SSH=127.0.0.1:22022 GATING_TEST_SSH_KEY=... \
//        dotnet run -c Release --project bench/ExecutorBench -- [iterations]
using System.Diagnostics;
using System.Globalization;
using CliWrap;
using CliWrap.Buffered;
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

var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
string Env(string name) => Environment.GetEnvironmentVariable(name) ?? throw new InvalidOperationException($"set {name} (see bench/ExecutorBench/Program.cs)");
var address = Env("GATING_TEST_SSH");
var key = Env("GATING_TEST_SSH_KEY");
var zkServer = Env("GATING_TEST_ZOOKEEPER");
var host = address[..address.LastIndexOf(':')];
var port = int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
const string Playbook = "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: /bin/true\n";

var root = Path.Combine(Path.GetTempPath(), "gating-bench-" + Guid.NewGuid().ToString("N")[..8]);
await using var server = GitTestServer.Create();
await server.CreateProjectAsync("org/project", new Dictionary<string, string> { ["playbooks/run.yaml"] = Playbook, ["README"] = "bench\n" });
ExecutorOptions Options(string name) => new()
{
    JobRoot = Path.Combine(root, name, "builds"), StateRoot = Path.Combine(root, name, "state"), PrivateKeyFile = key, DefaultUsername = "root", Hostname = name,
};
RepositoryCache Cache(string name) => new(Path.Combine(root, name, "state", "git"), new GitRunner(new GitOptions(), TimeProvider.System),
    new BaseUrlRepositoryLocator(new Dictionary<string, string> { ["review"] = server.FileBaseUrl }));
var runner = new BuildRunner(Options("runner"), Cache("runner"), TimeProvider.System);
var project = new BuildProject("review", "org/project", "review.example.org");
var node = new BuildNode("node1", host, port, "root", PythonPath: "/usr/bin/python3");
var changeNumber = 100;
var phaseTimes = new Dictionary<string, List<double>>();

async Task<BuildParameters> ParametersAsync(ImmutableNodes nodes)
{
    var change = await server.CreateChangeAsync("org/project", "main", ++changeNumber, 1, new Dictionary<string, string?> { [$"f{changeNumber}.txt"] = "x\n" });
    return new BuildParameters
    {
        BuildId = Guid.NewGuid().ToString("N"), BuildSetId = Guid.NewGuid().ToString("N"), Tenant = "t", Pipeline = "check", Job = "bench",
        Project = project, Branch = "main", Change = change.Number.ToString(CultureInfo.InvariantCulture), Patchset = "1", Ref = change.Ref,
        Items = [new BuildItem(project, new MergeItem("review", "org/project", "main", change.Ref, change.Commit, MergeMode.MergeResolve))],
        ConfiguredTime = DateTimeOffset.UnixEpoch, Timeout = TimeSpan.FromMinutes(5),
        Run = [new BuildPlaybook(project, "main", "playbooks/run.yaml", Trusted: false, Roles: [], Secrets: [])],
        Nodes = nodes.Refs,
    };
}

async Task<double> RunnerOnce()
{
    var parameters = await ParametersAsync(new ImmutableNodes([]));
    var watch = Stopwatch.StartNew();
    var result = await runner.RunAsync(parameters, [node], NullBuildEventSink.Instance, CancellationToken.None);
    watch.Stop();
    if (result.Outcome != BuildOutcome.Success)
    {
        throw new InvalidOperationException($"build {result.Outcome}: {result.ErrorDetail}\n{File.ReadAllText(Path.Combine(result.LogDirectory!, "job-output.txt"))}");
    }
    foreach (var phase in BuildRunner.ReadPhaseTimes(result.LogDirectory!))
    {
        (phaseTimes.TryGetValue(phase.Name, out var list) ? list : phaseTimes[phase.Name] = []).Add(phase.Duration.TotalSeconds);
    }
    return watch.Elapsed.TotalSeconds;
}

// The queue path: a chroot of its own on the real ZooKeeper, the SSH node as a ready node, one executor server.
var chroot = "/gating-bench-" + Guid.NewGuid().ToString("N");
await using (var rootSession = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = zkServer }, CancellationToken.None))
{
    await rootSession.CreateAsync(chroot, default, CreateOptions.Persistent, CancellationToken.None);
}
await using var zk = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = zkServer + chroot }, CancellationToken.None);
await using var executorSession = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = zkServer + chroot }, CancellationToken.None);
var store = await ZooKeeperNodeStore.OpenAsync(zk, ZkPaths.NodepoolRoot, CancellationToken.None);
var nodeId = await store.NewNodeIdAsync(CancellationToken.None);
var nodeRecord = new Node(nodeId, NodeState.Ready, DateTimeOffset.UtcNow, "static", "main", ["debian"])
{
    InterfaceIp = host, ConnectionPort = port, Username = "root", PythonPath = "/usr/bin/python3",
};
var executorCache = Cache("executor");
var executor = new ExecutorServer(executorSession,
    new ExecutorServerOptions { Hostname = "bench", Governor = new GovernorLimits { LoadMultiplier = null, MinAvailableMemoryPercent = null } },
    new BuildRunner(Options("executor"), executorCache, TimeProvider.System), new MergeService(executorCache, Path.Combine(root, "executor", "merger")),
    TimeProvider.System);
using var stopExecutor = new CancellationTokenSource();
var executorTask = Task.Run(() => executor.RunAsync(stopExecutor.Token));
var builds = new JobRequestQueue<BuildRequestData>(zk, ZkPaths.ExecutorQueue(null));
var results = new EventQueue(zk, ZkPaths.PipelineResultEvents("t", "check"));

async Task<double> QueueOnce()
{
    await store.SaveNodeAsync(nodeRecord with { StateTime = DateTimeOffset.UtcNow }, CancellationToken.None); // ready again
    var parameters = await ParametersAsync(new ImmutableNodes([new BuildNodeRef(["node1"], "debian", nodeId)]));
    var bytes = ModelJson.Serialize(parameters);
    var watch = Stopwatch.StartNew();
    await builds.SubmitAsync(new JobRequest<BuildRequestData> { Uuid = parameters.BuildId, Data = new BuildRequestData(parameters.BuildSetId, "bench", "t", "check") },
        bytes, waitForResult: false, CancellationToken.None);
    while (true)
    {
        await results.WaitForEventsAsync(CancellationToken.None);
        foreach (var queued in await results.ReadAsync(CancellationToken.None))
        {
            await results.AckAsync(queued, CancellationToken.None);
            if (ResultEventJson.Deserialize(queued.Payload) is BuildCompletedEvent completed && completed.BuildId == parameters.BuildId)
            {
                watch.Stop();
                await builds.RemoveAsync(parameters.BuildId, CancellationToken.None);
                return completed.Result == "SUCCESS"
                    ? watch.Elapsed.TotalSeconds
                    : throw new InvalidOperationException($"queued build {completed.Result}: {completed.ErrorDetail}");
            }
        }
    }
}

var bare = Path.Combine(root, "bare");
Directory.CreateDirectory(bare);
await File.WriteAllTextAsync(Path.Combine(bare, "run.yaml"), Playbook);
await File.WriteAllTextAsync(Path.Combine(bare, "inventory"),
    $"node1 ansible_host={host} ansible_port={port} ansible_user=root ansible_python_interpreter=/usr/bin/python3 ansible_ssh_common_args='-o StrictHostKeyChecking=false -o UserKnownHostsFile=/dev/null'\n");
// A build connects to its node afresh (its ssh control master lives and dies in its sandbox), so the comparable bare
// run gets a fresh control path directory too ("cold"); "warm" reuses the master a previous run left (ControlPersist).
var warmControlDir = Path.Combine(bare, "cp-warm");
async Task<double> BareOnce(bool warm)
{
    var controlDir = warm ? warmControlDir : Path.Combine(bare, "cp-" + Guid.NewGuid().ToString("N")[..8]);
    var watch = Stopwatch.StartNew();
    var result = await Cli.Wrap("ansible-playbook").WithArguments(["-i", "inventory", "run.yaml", "--private-key", key])
        .WithWorkingDirectory(bare).WithEnvironmentVariables(new Dictionary<string, string?>
        {
            ["ANSIBLE_PIPELINING"] = "1", ["ANSIBLE_HOST_KEY_CHECKING"] = "False", ["ANSIBLE_SSH_CONTROL_PATH_DIR"] = controlDir,
        })
        .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
    watch.Stop();
    if (result.ExitCode != 0)
    {
        throw new InvalidOperationException(result.StandardOutput + result.StandardError);
    }
    return watch.Elapsed.TotalSeconds;
}

static double Median(List<double> values)
{
    values.Sort();
    return values[values.Count / 2];
}

static string All(List<double> values) => string.Join(' ', values.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)));

try
{
    // Warm-up: the first build of each path clones the cache.
    await RunnerOnce();
    await QueueOnce();
    await BareOnce(warm: true);
    phaseTimes.Clear();
    var (hand, warmHand, direct, queued) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
    for (var i = 1; i <= iterations; i++)
    {
        hand.Add(await BareOnce(warm: false));
        warmHand.Add(await BareOnce(warm: true));
        direct.Add(await RunnerOnce());
        queued.Add(await QueueOnce());
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"iterations: {iterations}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ansible-playbook by hand (cold)   median {Median(hand):F3} s  (all: {All(hand)})"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  by hand, warm ssh master        median {Median(warmHand):F3} s  (all: {All(warmHand)})"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"BuildRunner (git+merge+sandbox)   median {Median(direct):F3} s  (all: {All(direct)})"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"request -> result via ZooKeeper   median {Median(queued):F3} s  (all: {All(queued)})"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overhead over the bare (cold) run: runner {Median(direct) - Median(hand):F3} s, queue {Median(queued) - Median(hand):F3} s (wall)"));
    Console.WriteLine("BuildRunner steps (median s, from zuul-info/phases.txt):");
    foreach (var (name, values) in phaseTimes)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Median(values),7:F3}  {name}"));
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load average: {File.ReadAllText("/proc/loadavg").Trim()}"));
}
finally
{
    await stopExecutor.CancelAsync();
    await executorTask;
    await using (var rootSession = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = zkServer }, CancellationToken.None))
    {
        await rootSession.DeleteTreeAsync(chroot, CancellationToken.None);
    }
    if (Environment.GetEnvironmentVariable("GATING_BENCH_KEEP") == "1")
    {
        Console.WriteLine($"kept {root} (build logs under */state/logs)");
    }
    else
    {
        Directory.Delete(root, recursive: true);
    }
}

/// <summary>The node references of a build (none for the direct runner path).</summary>
internal sealed record ImmutableNodes(System.Collections.Immutable.ImmutableArray<BuildNodeRef> Refs);

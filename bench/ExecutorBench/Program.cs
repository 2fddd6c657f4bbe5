// Build parameters -> result for a one-task playbook on the SSH test node, against the same ansible-playbook run by
// hand. Usage: GATING_TEST_SSH=127.0.0.1:22022 GATING_TEST_SSH_KEY=... dotnet run -c Release [-- iterations]
using System.Diagnostics;
using System.Globalization;
using CliWrap;
using CliWrap.Buffered;
using Gating.Executor.Build;
using Gating.Executor.Git;
using Gating.Model;
using Gating.Testing.Git;

var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
var address = Environment.GetEnvironmentVariable("GATING_TEST_SSH") ?? throw new InvalidOperationException("set GATING_TEST_SSH");
var key = Environment.GetEnvironmentVariable("GATING_TEST_SSH_KEY") ?? throw new InvalidOperationException("set GATING_TEST_SSH_KEY");
var host = address[..address.LastIndexOf(':')];
var port = int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
const string Playbook = "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: /bin/true\n";

var root = Path.Combine(Path.GetTempPath(), "gating-bench-" + Guid.NewGuid().ToString("N")[..8]);
await using var server = GitTestServer.Create();
await server.CreateProjectAsync("org/project", new Dictionary<string, string> { ["playbooks/run.yaml"] = Playbook, ["README"] = "bench\n" });
var options = new ExecutorOptions
{
    JobRoot = Path.Combine(root, "builds"), StateRoot = Path.Combine(root, "state"), PrivateKeyFile = key, DefaultUsername = "root",
};
var cache = new RepositoryCache(Path.Combine(root, "state", "git"), new GitRunner(new GitOptions(), TimeProvider.System),
    new BaseUrlRepositoryLocator(new Dictionary<string, string> { ["review"] = server.FileBaseUrl }));
var runner = new BuildRunner(options, cache, TimeProvider.System);
var project = new BuildProject("review", "org/project", "review.example.org");
var node = new BuildNode("node1", host, port, "root", PythonPath: "/usr/bin/python3");

async Task<double> GatingOnce(int i)
{
    var change = await server.CreateChangeAsync("org/project", "main", 100 + i, 1, new Dictionary<string, string?> { [$"f{i}.txt"] = "x\n" });
    var parameters = new BuildParameters
    {
        BuildId = Guid.NewGuid().ToString("N"), BuildSetId = Guid.NewGuid().ToString("N"), Tenant = "t", Pipeline = "check", Job = "bench",
        Project = project, Branch = "main", Change = change.Number.ToString(CultureInfo.InvariantCulture), Patchset = "1", Ref = change.Ref,
        Items = [new BuildItem(project, new MergeItem("review", "org/project", "main", change.Ref, change.Commit, MergeMode.MergeResolve))],
        ConfiguredTime = DateTimeOffset.UnixEpoch, Timeout = TimeSpan.FromMinutes(5),
        Run = [new BuildPlaybook(project, "main", "playbooks/run.yaml", Trusted: false)],
    };
    var watch = Stopwatch.StartNew();
    var result = await runner.RunAsync(parameters, [node], NullBuildEventSink.Instance, CancellationToken.None);
    watch.Stop();
    if (result.Outcome != BuildOutcome.Success)
    {
        throw new InvalidOperationException($"build {result.Outcome}: {result.ErrorDetail}\n{File.ReadAllText(Path.Combine(result.LogDirectory!, "job-output.txt"))}");
    }
    return watch.Elapsed.TotalSeconds;
}

var bare = Path.Combine(root, "bare");
Directory.CreateDirectory(bare);
await File.WriteAllTextAsync(Path.Combine(bare, "run.yaml"), Playbook);
await File.WriteAllTextAsync(Path.Combine(bare, "inventory"),
    $"node1 ansible_host={host} ansible_port={port} ansible_user=root ansible_python_interpreter=/usr/bin/python3 ansible_ssh_common_args='-o StrictHostKeyChecking=false -o UserKnownHostsFile=/dev/null'\n");
async Task<double> BareOnce()
{
    var watch = Stopwatch.StartNew();
    var result = await Cli.Wrap("ansible-playbook").WithArguments(["-i", "inventory", "run.yaml", "--private-key", key])
        .WithWorkingDirectory(bare).WithEnvironmentVariables(new Dictionary<string, string?> { ["ANSIBLE_PIPELINING"] = "1", ["ANSIBLE_HOST_KEY_CHECKING"] = "False" })
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

await GatingOnce(0); // first build clones the cache
await BareOnce();
var gating = new List<double>();
var hand = new List<double>();
for (var i = 1; i <= iterations; i++)
{
    // Interleaved, so machine load affects both alike.
    hand.Add(await BareOnce());
    gating.Add(await GatingOnce(i));
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"iterations: {iterations}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ansible-playbook by hand  median {Median(hand):F3} s  (all: {string.Join(' ', hand.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))})"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gating build (git+merge+sandbox) median {Median(gating):F3} s  (all: {string.Join(' ', gating.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))})"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overhead  median {Median(gating) - Median(hand):F3} s wall"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load average: {File.ReadAllText("/proc/loadavg").Trim()}"));
Directory.Delete(root, recursive: true);

using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using Gating.Executor.Build;
using Gating.Executor.Git;
using Gating.Model;
using Gating.Testing.Git;

namespace Gating.Executor.Tests.Build;

/// <summary>A git server, an executor (cache, job root, log root) and the real SSH test node.</summary>
internal sealed class BuildFixture : IAsyncDisposable
{
    public const string Connection = "review";
    public const string Hostname = "review.example.org";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "gating-build-" + Guid.NewGuid().ToString("N")[..12]);

    public BuildFixture(bool keepBuildDirectories = false)
    {
        Server = GitTestServer.Create();
        (NodeHost, NodePort, KeyFile) = SshNode();
        Options = new ExecutorOptions
        {
            JobRoot = Path.Combine(_root, "builds"),
            StateRoot = Path.Combine(_root, "state"),
            Hostname = "executor.test",
            PrivateKeyFile = KeyFile,
            DefaultUsername = "root",
            KeepBuildDirectories = keepBuildDirectories,
        };
        var git = new GitRunner(new GitOptions(), TimeProvider.System);
        var cache = new RepositoryCache(Path.Combine(_root, "state", "git"), git,
            new BaseUrlRepositoryLocator(new Dictionary<string, string> { [Connection] = Server.FileBaseUrl }));
        Runner = new BuildRunner(Options, cache, TimeProvider.System);
    }

    public GitTestServer Server { get; }

    public ExecutorOptions Options { get; }

    public BuildRunner Runner { get; }

    public string NodeHost { get; }

    public int NodePort { get; }

    public string KeyFile { get; }

    public string Root => _root;

    public static BuildProject Project(string name) => new(Connection, name, Hostname);

    public BuildNode Node(string name = "node1") =>
        new(name, NodeHost, NodePort, "root", PythonPath: "/usr/bin/python3", Label: "debian", Provider: "static");

    public static BuildPlaybook Playbook(string project, string path, bool trusted, int level = 0, ImmutableArray<BuildRole> roles = default, ImmutableArray<BuildSecret> secrets = default) =>
        new(Project(project), "main", path, trusted, roles, secrets, level);

    public static BuildParameters Parameters(string job, string project = "org/project") => new()
    {
        BuildId = Guid.NewGuid().ToString("N"),
        BuildSetId = Guid.NewGuid().ToString("N"),
        Tenant = "tenant-one",
        Pipeline = "check",
        Job = job,
        Project = Project(project),
        Branch = "main",
        ConfiguredTime = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero),
        Timeout = TimeSpan.FromMinutes(2),
    };

    public static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value);

    public Task<BuildResult> RunAsync(BuildParameters parameters, RecordingSink? sink = null, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(parameters, [Node()], sink ?? new RecordingSink(), cancellationToken);

    public static string Log(BuildResult result) => File.ReadAllText(Path.Combine(result.LogDirectory!, "job-output.txt"));

    private static (string Host, int Port, string Key) SshNode()
    {
        var address = Environment.GetEnvironmentVariable("GATING_TEST_SSH");
        var key = Environment.GetEnvironmentVariable("GATING_TEST_SSH_KEY");
        if (string.IsNullOrEmpty(address) || string.IsNullOrEmpty(key) || !File.Exists(key))
        {
            throw new InvalidOperationException(
                "GATING_TEST_SSH (host:port of a root sshd) and GATING_TEST_SSH_KEY (its private key) must be set: run `bash .ci/services start`.");
        }
        var colon = address.LastIndexOf(':');
        return (address[..colon], int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), key);
    }

    public async ValueTask DisposeAsync()
    {
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

/// <summary>Records build events; a pause completes when the test says so (or at once).</summary>
internal sealed class RecordingSink : IBuildEventSink
{
    public ConcurrentQueue<object> Events { get; } = new();

    public TaskCompletionSource Resume { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool AutoResume { get; init; } = true;

    public Task StartedAsync(ExecutorBuildStarted started, CancellationToken cancellationToken)
    {
        Events.Enqueue(started);
        return Task.CompletedTask;
    }

    public Task StatusAsync(ExecutorBuildStatus status, CancellationToken cancellationToken)
    {
        Events.Enqueue(status);
        return Task.CompletedTask;
    }

    public Task PausedAsync(ExecutorBuildPaused paused, CancellationToken cancellationToken)
    {
        Events.Enqueue(paused);
        return AutoResume ? Task.CompletedTask : Resume.Task.WaitAsync(cancellationToken);
    }
}

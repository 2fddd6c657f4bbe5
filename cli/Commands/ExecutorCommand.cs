using System.CommandLine;
using System.Globalization;
using Gating.Executor.Build;
using Gating.Executor.Git;
using Gating.Executor.Merger;
using Gating.Executor.Server;
using Gating.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gating.Cli.Commands;

/// <summary>
/// `gating executor`: runs an executor (builds from the executor request queues, merges from the merger queue) against
/// a ZooKeeper ensemble until SIGTERM or SIGINT; then the running builds are aborted (ABORTED, after their cleanup
/// playbooks) and completed, and the process exits.
/// </summary>
internal static class ExecutorCommand
{
    /// <summary>Longest the process waits at exit for aborted builds to complete.</summary>
    private static readonly TimeSpan ShutdownLimit = TimeSpan.FromMinutes(6);

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var zookeeper = new Option<string>("--zookeeper")
        {
            Description = "ZooKeeper hosts: host:port[,host:port...][/chroot].",
            Required = true,
        };
        var zone = new Option<string?>("--zone") { Description = "The executor zone (builds of nodes in that zone); unzoned when omitted." };
        var allowUnzoned = new Option<bool>("--allow-unzoned") { Description = "A zoned executor also takes unzoned builds." };
        var jobRoot = new Option<DirectoryInfo>("--job-root") { Description = "Where build directories are made.", Required = true };
        var stateRoot = new Option<DirectoryInfo?>("--state-root")
        {
            Description = "Git cache, merger repositories, Ansible plugins and logs (default: <job-root>/../executor-state).",
        };
        var logRoot = new Option<DirectoryInfo?>("--log-root") { Description = "Where finished builds' logs are kept (default: <state-root>/logs)." };
        var git = new Option<string[]>("--git")
        {
            Description = "A connection's git base URL: CONNECTION=URL (file://, git://, http(s)://, ssh://); repeat per connection.",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var maxBuilds = new Option<int?>("--max-builds") { Description = "Builds running at the same time at most (default: 2 x CPUs)." };
        var loadMultiplier = new Option<double?>("--load-multiplier") { Description = "Stop accepting builds above this load average per CPU (default 2.5; 0 disables)." };
        var minMemory = new Option<double?>("--min-avail-mem") { Description = "Stop accepting builds below this percentage of available memory (default 5; 0 disables)." };
        var hostname = new Option<string?>("--hostname") { Description = "This executor's name in requests and the component registry (default: the machine name)." };
        var privateKey = new Option<FileInfo?>("--private-key") { Description = "The SSH private key for logging in to nodes." };
        var username = new Option<string?>("--default-username") { Description = "The node user when a node names none (default: zuul)." };
        var noMerges = new Option<bool>("--no-merge-jobs") { Description = "Do not take merger requests." };
        var sessionTimeout = new Option<double?>("--session-timeout") { Description = "ZooKeeper session timeout in seconds (default 30)." };
        var pollInterval = new Option<double?>("--poll-interval") { Description = "Seconds between checks of the governor and of orphaned requests (default 10)." };
        var command = new Command("executor", "Run an executor: builds and merges from the ZooKeeper request queues, until SIGTERM.")
        {
            zookeeper, zone, allowUnzoned, jobRoot, stateRoot, logRoot, git, maxBuilds, loadMultiplier, minMemory, hostname, privateKey,
            username, noMerges, sessionTimeout, pollInterval,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var baseUrls = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var mapping in parse.GetValue(git) ?? [])
            {
                var equals = mapping.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0 || equals == mapping.Length - 1)
                {
                    await stderr.WriteLineAsync($"gating executor: --git expects CONNECTION=URL, got '{mapping}'");
                    return GatingCommandLine.UsageError;
                }
                baseUrls[mapping[..equals]] = mapping[(equals + 1)..];
            }
            var jobs = parse.GetValue(jobRoot)!.FullName;
            var state = parse.GetValue(stateRoot)?.FullName ?? Path.Combine(Path.GetDirectoryName(jobs.TrimEnd('/')) ?? jobs, "executor-state");
            var name = parse.GetValue(hostname) ?? Environment.MachineName;
            var limits = new GovernorLimits();
            limits = limits with
            {
                MaxBuilds = parse.GetValue(maxBuilds) ?? limits.MaxBuilds,
                LoadMultiplier = parse.GetValue(loadMultiplier) is { } l ? (l > 0 ? l : null) : limits.LoadMultiplier,
                MinAvailableMemoryPercent = parse.GetValue(minMemory) is { } m ? (m > 0 ? m : null) : limits.MinAvailableMemoryPercent,
            };
            var serverOptions = new ExecutorServerOptions
            {
                Hostname = name,
                Zone = parse.GetValue(zone),
                AllowUnzoned = parse.GetValue(allowUnzoned),
                MergeJobs = !parse.GetValue(noMerges),
                Governor = limits,
                PollInterval = TimeSpan.FromSeconds(parse.GetValue(pollInterval) ?? 10),
            };
            var buildOptions = new ExecutorOptions
            {
                JobRoot = jobs,
                StateRoot = state,
                Hostname = name,
                PrivateKeyFile = parse.GetValue(privateKey)?.FullName,
                DefaultUsername = parse.GetValue(username) ?? "zuul",
                LogRoot = parse.GetValue(logRoot)?.FullName,
            };
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
            }));
            var cache = new RepositoryCache(Path.Combine(state, "git"), new GitRunner(new GitOptions(), TimeProvider.System), new BaseUrlRepositoryLocator(baseUrls));
            var runner = new BuildRunner(buildOptions, cache, TimeProvider.System);
            var merges = new MergeService(cache, Path.Combine(state, "merger"));

            // System.CommandLine gives up on the action two seconds after SIGTERM; aborting builds (their cleanup
            // playbooks, the completion writes) may take longer, so the exit waits for the server to finish.
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var finished = new ManualResetEventSlim();
            void OnExit(object? sender, EventArgs e)
            {
                stopping.Cancel();
                finished.Wait(ShutdownLimit, CancellationToken.None);
            }
            AppDomain.CurrentDomain.ProcessExit += OnExit;
            try
            {
                await using var zk = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
                {
                    ConnectString = parse.GetValue(zookeeper)!,
                    SessionTimeout = TimeSpan.FromSeconds(parse.GetValue(sessionTimeout) ?? 30),
                    LoggerFactory = loggers,
                }, cancellationToken);
                var server = new ExecutorServer(zk, serverOptions, runner, merges, TimeProvider.System, loggers);
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"gating executor {name}: serving {string.Join(", ", server.BuildQueues.Select(q => q.Root))}{(serverOptions.MergeJobs ? " and merges" : "")}"));
                await stdout.FlushAsync(CancellationToken.None);
                await server.RunAsync(stopping.Token);
                return 0;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return 0;
            }
            catch (ZooKeeperException e)
            {
                await stderr.WriteLineAsync($"gating executor: ZooKeeper failed: {e.Message}");
                return 1;
            }
            finally
            {
                finished.Set();
                AppDomain.CurrentDomain.ProcessExit -= OnExit;
            }
        });
        return command;
    }
}

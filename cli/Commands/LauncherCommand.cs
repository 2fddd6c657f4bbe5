using System.CommandLine;
using System.Runtime.InteropServices;
using Gating.Coordination;
using Gating.Nodepool.Config;
using Gating.Nodepool.Launcher;
using Gating.Nodepool.Store;
using Gating.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gating.Cli.Commands;

/// <summary>
/// `gating launcher`: runs the pool workers of a providers file (nodepool.yaml shape) against ZooKeeper until
/// SIGTERM or SIGINT, as Nodepool's launcher does. Several launchers share the work; one that dies leaves its
/// requests to the others (its locks go with its session).
/// </summary>
internal static class LauncherCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var zookeeper = new Option<string>("--zookeeper")
        {
            Description = "ZooKeeper hosts with an optional chroot, e.g. 127.0.0.1:2181,10.0.0.2:2181/gating.",
            Required = true,
        };
        var config = new Option<FileInfo>("--config") { Description = "The providers file (nodepool.yaml shape).", Required = true };
        var hostname = new Option<string>("--hostname")
        {
            Description = "This launcher's name in node records and lock contenders (default: the machine name).",
            DefaultValueFactory = _ => Environment.MachineName,
        };
        var sessionTimeout = new Option<int>("--session-timeout")
        {
            Description = "ZooKeeper session timeout in seconds: how soon another launcher takes over when this one dies.",
            DefaultValueFactory = _ => 10,
        };
        var command = new Command("launcher", "Run the node launcher: fulfil node requests from the providers of a providers file.")
        {
            zookeeper, config, hostname, sessionTimeout,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(zookeeper)!, parse.GetValue(config)!, parse.GetValue(hostname)!, TimeSpan.FromSeconds(parse.GetValue(sessionTimeout)),
            stdout, stderr, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string hosts, FileInfo configFile, string hostname, TimeSpan sessionTimeout,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        string yaml;
        try
        {
            yaml = await File.ReadAllTextAsync(configFile.FullName, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"gating launcher: cannot read the providers file {configFile.FullName}: {e.Message}");
            return 1;
        }

        var parsed = ProvidersConfigParser.Parse(yaml, configFile.FullName);
        if (parsed.Config is not { } providers)
        {
            foreach (var error in parsed.Errors)
            {
                await stderr.WriteLineAsync($"gating launcher: {error}");
            }

            return 1;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));

        IZooKeeper zk;
        try
        {
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            connectTimeout.CancelAfter(TimeSpan.FromSeconds(30));
            if (hosts.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash && slash < hosts.Length - 1)
            {
                // A chroot must exist before a session rooted in it can create anything: make it, as an operator would.
                await using var root = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = hosts[..slash], SessionTimeout = sessionTimeout }, connectTimeout.Token);
                await root.EnsurePathAsync(hosts[slash..], connectTimeout.Token);
            }

            zk = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = hosts, SessionTimeout = sessionTimeout, LoggerFactory = loggers }, connectTimeout.Token);
        }
        catch (Exception e) when (e is ZooKeeperException or ArgumentException or FormatException or OperationCanceledException)
        {
            await stderr.WriteLineAsync($"gating launcher: cannot connect to ZooKeeper at {hosts}: {e.Message}");
            return 1;
        }

        await using (zk)
        {
            var sessionLost = false;
            zk.StateChanged += state =>
            {
                if (state == ConnectionState.Lost)
                {
                    sessionLost = true; // our locks are gone: stop, and let the supervisor start a fresh launcher
                    stop.Cancel();
                }
            };
            var store = await ZooKeeperNodeStore.OpenAsync(zk, "/nodepool", hostname, TimeProvider.System, stop.Token);
            NodepoolLauncher launcher;
            try
            {
                launcher = NodepoolLauncher.Create(providers, store, hostname, configFile.DirectoryName ?? ".", TimeProvider.System, loggers);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
            {
                await stderr.WriteLineAsync($"gating launcher: {configFile.FullName}: {e.Message}");
                return 1;
            }

            await using (launcher)
            {
                await stdout.WriteLineAsync($"gating launcher {hostname}: {launcher.Workers.Length} pools ({string.Join(", ", launcher.Workers.Select(w => w.Id))}) on {hosts}");
                await stdout.FlushAsync(CancellationToken.None);
                try
                {
                    await launcher.RunAsync(new PoolWorkerTimings(), stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // SIGTERM, SIGINT or a lost session.
                }
            }

            if (sessionLost)
            {
                await stderr.WriteLineAsync("gating launcher: the ZooKeeper session was lost; exiting so a fresh launcher can take over");
                return 1;
            }

            return 0;
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // we stop ourselves, after the handlers have let go
            stop.Cancel();
        }
    }
}

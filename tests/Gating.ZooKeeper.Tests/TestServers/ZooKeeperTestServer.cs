using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Gating.ZooKeeper.Tests.TestServers;

/// <summary>
/// One real ZooKeeper server (the Debian package's JVM, run directly as CI does) on a loopback port of this suite's
/// range, with its own data directory. It can be killed, restarted on the same data, and frozen with SIGSTOP.
/// </summary>
public sealed class ZooKeeperTestServer : IAsyncDisposable
{
    private const string ClassPath = "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar";
    private Process? _process;

    internal ZooKeeperTestServer(int id, int clientPort, string directory, string config)
    {
        Id = id;
        ClientPort = clientPort;
        Directory = directory;
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "data"));
        File.WriteAllText(Path.Combine(directory, "zoo.cfg"), config);
        File.WriteAllText(Path.Combine(directory, "data", "myid"), id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        File.WriteAllLines(Path.Combine(directory, "log4j.properties"),
        [
            "log4j.rootLogger=INFO, F", "log4j.appender.F=org.apache.log4j.FileAppender",
            $"log4j.appender.F.File={Path.Combine(directory, "zk.log")}", "log4j.appender.F.layout=org.apache.log4j.PatternLayout",
            "log4j.appender.F.layout.ConversionPattern=%d %-5p [%t] %m%n",
        ]);
    }

    public int Id { get; }

    public int ClientPort { get; }

    public string Directory { get; }

    public string Endpoint => $"127.0.0.1:{ClientPort}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts the JVM (it then needs <see cref="WaitServingAsync"/>).</summary>
    public void Start()
    {
        Assert.True(File.Exists("/usr/share/java/zookeeper.jar"), "ZooKeeper is not installed: apt-get install zookeeper (see .ci/setup)");
        var start = new ProcessStartInfo("java")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dzookeeper.extendedTypesEnabled=true",
                     $"-Dlog4j.configuration=file:{Path.Combine(Directory, "log4j.properties")}",
                     "-cp", $"{Directory}:{ClassPath}", "org.apache.zookeeper.server.quorum.QuorumPeerMain", Path.Combine(Directory, "zoo.cfg"),
                 })
        {
            start.ArgumentList.Add(argument);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start java");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Kills the server at once (SIGKILL), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            Resume(); // a stopped process cannot die until it runs again
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            process.Dispose();
            _process = null;
        }
    }

    /// <summary>Freezes the server (SIGSTOP): its sockets stay open but nothing answers.</summary>
    public void Pause()
    {
        Signal("STOP");
        // SIGSTOP takes effect asynchronously: wait until every thread of the JVM is really stopped.
        var pid = _process!.Id;
        var clock = Stopwatch.StartNew();
        while (!System.IO.Directory.GetDirectories($"/proc/{pid}/task").All(IsStopped))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"ZooKeeper server {Id} did not stop after SIGSTOP");
            Thread.Sleep(5);
        }
    }

    private static bool IsStopped(string task)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(task, "stat"));
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('T'); // the state follows the command name
        }
        catch (IOException)
        {
            return true; // the thread is gone
        }
    }

    /// <summary>Lets a frozen server run again (SIGCONT).</summary>
    public void Resume() => Signal("CONT");

    /// <summary>Waits until the server answers "srvr" with a mode (standalone, leader or follower).</summary>
    public async Task<string> WaitServingAsync(TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var bound = timeout ?? TimeSpan.FromSeconds(60);
        while (true)
        {
            Assert.True(IsRunning, $"ZooKeeper server {Id} exited; see {Path.Combine(Directory, "zk.log")}");
            var mode = await ModeAsync();
            if (mode is not null)
            {
                return mode;
            }
            Assert.True(clock.Elapsed < bound, $"ZooKeeper server {Id} on {Endpoint} not serving after {bound.TotalSeconds:0}s; see {Path.Combine(Directory, "zk.log")}");
            await Task.Delay(50);
        }
    }

    /// <summary>The server's mode from the "srvr" four-letter word, or null when it is not serving.</summary>
    public async Task<string?> ModeAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync("127.0.0.1", ClientPort, cts.Token);
            await socket.SendAsync("srvr"u8.ToArray(), SocketFlags.None, cts.Token);
            var text = new StringBuilder();
            var buffer = new byte[4096];
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
            {
                text.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
            var line = text.ToString().Split('\n').FirstOrDefault(l => l.StartsWith("Mode: ", StringComparison.Ordinal));
            return line?["Mode: ".Length..].Trim();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Signal(string signal)
    {
        if (_process is { HasExited: false } process)
        {
            using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            kill.WaitForExit();
            Assert.Equal(0, kill.ExitCode);
        }
    }
}

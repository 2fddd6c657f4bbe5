using System.Diagnostics;
using System.Reflection;
using System.Text;
using CliWrap;

namespace Gating.Nodepool.Tests.Launcher;

/// <summary>A real `gating launcher` child process, with its output kept for failure messages.</summary>
internal sealed class LauncherProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LauncherProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The gating.dll the test project builds first (see the .csproj).</summary>
    public static string GatingDll =>
        typeof(LauncherProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "GatingCli").Value
            is { } path && File.Exists(path) ? path : throw new InvalidOperationException("the gating CLI is not built next to the tests");

    /// <summary>Everything the launcher printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public int Id => _process.Id;

    /// <summary>Starts `gating launcher` and returns once it printed that its pools run.</summary>
    public static async Task<LauncherProcess> StartAsync(string zookeeper, string config, string hostname)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { GatingDll, "launcher", "--zookeeper", zookeeper, "--config", config, "--hostname", hostname, "--session-timeout", "4" })
        {
            info.ArgumentList.Add(arg);
        }

        var launcher = new LauncherProcess(Process.Start(info)!);
        launcher._process.OutputDataReceived += (_, e) => launcher.Append(e.Data, ready: e.Data?.StartsWith($"gating launcher {hostname}:", StringComparison.Ordinal) == true);
        launcher._process.ErrorDataReceived += (_, e) => launcher.Append(e.Data, ready: false);
        launcher._process.BeginOutputReadLine();
        launcher._process.BeginErrorReadLine();
        var exited = launcher._process.WaitForExitAsync();
        if (await Task.WhenAny(launcher._ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(60))) != launcher._ready.Task)
        {
            throw new InvalidOperationException($"gating launcher {hostname} did not start:\n{launcher.Output}");
        }

        return launcher;
    }

    /// <summary>SIGKILL: the launcher dies with no chance to clean up (its session ends only by timeout).</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, and the exit code once it stopped.</summary>
    public async Task<int> TerminateAsync()
    {
        await Cli.Wrap("kill").WithArguments(["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ExecuteAsync();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return _process.ExitCode;
    }

    private void Append(string? line, bool ready)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (ready)
        {
            _ready.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

using System.Diagnostics;
using System.Net.Sockets;

namespace Gating.Testing.Git;

public sealed partial class GitTestServer
{
    // git daemon ports: the first half of the executor's loopback range (23300-23349); the rest is for sshd.
    private const int FirstPort = 23300;
    private const int PortCount = 50;
    private static int s_nextPort;

    /// <summary>Serves every project read-only over git:// on 127.0.0.1; returns the base URL.</summary>
    public async Task<string> StartDaemonAsync(CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; attempt < PortCount; attempt++)
        {
            var port = FirstPort + (Interlocked.Increment(ref s_nextPort) % PortCount);
            var start = new ProcessStartInfo("git")
            {
                ArgumentList = { "daemon", $"--base-path={UpstreamRoot}", "--export-all", "--listen=127.0.0.1", $"--port={port}", "--informative-errors", UpstreamRoot },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            var process = Process.Start(start)!;
            if (await WaitForPortAsync(process, port, cancellationToken).ConfigureAwait(false))
            {
                _daemon = process;
                DaemonBaseUrl = $"git://127.0.0.1:{port}";
                return DaemonBaseUrl;
            }
            process.Kill(entireProcessTree: true);
            process.Dispose();
        }
        throw new InvalidOperationException($"git daemon could not listen on any port {FirstPort}-{FirstPort + PortCount - 1}");
    }

    private static async Task<bool> WaitForPortAsync(Process process, int port, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (process.HasExited)
            {
                return false;
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, cancellationToken).ConfigureAwait(false);
                // Another test's daemon could own the port; ours is alive and listening only if it did not exit.
                return !process.HasExited;
            }
            catch (SocketException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
        }
        return false;
    }

    /// <summary>Stops the daemon and removes every repository.</summary>
    public ValueTask DisposeAsync()
    {
        if (_daemon is { } daemon)
        {
            if (!daemon.HasExited)
            {
                daemon.Kill(entireProcessTree: true);
                daemon.WaitForExit();
            }
            daemon.Dispose();
        }
        _gate.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process that still holds a file must not fail the test that is cleaning up.
        }
        return ValueTask.CompletedTask;
    }
}

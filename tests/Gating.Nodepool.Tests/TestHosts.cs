using CliWrap;
using CliWrap.Buffered;

namespace Gating.Nodepool.Tests;

/// <summary>
/// The real servers the integration tests use, from the environment that .ci/services and .ci/rootfs print.
/// A missing one fails the test with what to run; nothing is skipped.
/// </summary>
internal static class TestHosts
{
    /// <summary>The static sshd test node (GATING_TEST_SSH=host:port).</summary>
    public static (string Host, int Port) Ssh
    {
        get
        {
            var value = Environment.GetEnvironmentVariable("GATING_TEST_SSH")
                ?? throw new InvalidOperationException("GATING_TEST_SSH is not set: run `bash .ci/services start` and export what it prints");
            var colon = value.LastIndexOf(':');
            return (value[..colon], int.Parse(value[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The private key that logs in as root on the test nodes (GATING_TEST_SSH_KEY).</summary>
    public static string SshKey
    {
        get
        {
            var key = Environment.GetEnvironmentVariable("GATING_TEST_SSH_KEY")
                ?? throw new InvalidOperationException("GATING_TEST_SSH_KEY is not set: run `bash .ci/services start` and export what it prints");
            return File.Exists(key) && File.Exists(key + ".pub") ? key : throw new InvalidOperationException($"GATING_TEST_SSH_KEY {key} (and .pub) does not exist");
        }
    }

    /// <summary>The public half of <see cref="SshKey"/>.</summary>
    public static string SshPublicKey => File.ReadAllText(SshKey + ".pub").Trim();

    /// <summary>The local hosts' rootfs (GATING_TEST_ROOTFS, default the .ci/rootfs cache).</summary>
    public static string Rootfs
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable("GATING_TEST_ROOTFS") ?? "/var/cache/gating/rootfs-bookworm";
            return File.Exists(Path.Combine(dir, ".gating-rootfs"))
                ? dir
                : throw new InvalidOperationException($"no finished rootfs at {dir}: run `bash .ci/rootfs` (or set GATING_TEST_ROOTFS)");
        }
    }

    /// <summary>A fresh directory under /tmp, unique to the caller.</summary>
    public static string TempDir(string what)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"gating-np-{what}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Runs a command on a node with the ssh client, checking its host key against <paramref name="hostKeys"/>.</summary>
    public static async Task<BufferedCommandResult> SshAsync(string host, int port, string user, IEnumerable<string> hostKeys, string command, string tempDir)
    {
        var knownHosts = Path.Combine(tempDir, $"known_hosts_{port}");
        await File.WriteAllLinesAsync(knownHosts, hostKeys.Select(k => $"[{host}]:{port} {k}"));
        return await Cli.Wrap("ssh")
            .WithArguments(["-i", SshKey, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", $"UserKnownHostsFile={knownHosts}",
                "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR", $"{user}@{host}", command])
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();
    }

    /// <summary>Waits for a condition with a generous timeout (never a fixed sleep).</summary>
    public static async Task WaitForAsync(Func<Task<bool>> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {seconds} s waiting for {what}");
            }

            await Task.Delay(20);
        }
    }
}

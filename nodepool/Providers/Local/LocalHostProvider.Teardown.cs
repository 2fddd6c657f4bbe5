using System.Diagnostics;
using System.Globalization;

namespace Gating.Nodepool.Providers.Local;

/// <summary>Deleting a local host: processes, then the mount, then the namespace, then the files.</summary>
public sealed partial class LocalHostProvider
{
    /// <inheritdoc/>
    public async Task DeleteAsync(string externalId, CancellationToken cancellationToken)
    {
        if (!externalId.StartsWith(_local.NamePrefix + "-", StringComparison.Ordinal) || externalId.Contains('/') || externalId.Contains(".."))
        {
            return; // not ours: never touch another provider's namespaces
        }

        if (_relays.TryRemove(externalId, out var relay))
        {
            await relay.DisposeAsync();
        }

        if (File.Exists(NetworkNamespace.PathOf(externalId)))
        {
            await KillAllAsync(externalId, cancellationToken);
        }

        var root = Path.Combine(DirectoryOf(externalId), "root");
        if (IsMountPoint(root))
        {
            var umount = await HostCommand.TryRunAsync("umount", [root], cancellationToken);
            if (umount.ExitCode != 0)
            {
                // Something still has it open; detach it now, the kernel frees it when the last user goes.
                await HostCommand.RunAsync("umount", ["-l", root], cancellationToken);
            }
        }

        if (File.Exists(NetworkNamespace.PathOf(externalId)))
        {
            await HostCommand.RunAsync("ip", ["netns", "del", externalId], cancellationToken);
        }

        if (Directory.Exists(DirectoryOf(externalId)))
        {
            Directory.Delete(DirectoryOf(externalId), recursive: true);
        }

        LogDeleted(_logger, externalId);
    }

    // SIGKILL every process in the namespace until none is left (sshd may fork a session while we kill).
    private async Task KillAllAsync(string name, CancellationToken cancellationToken)
    {
        for (var round = 0; round < 200; round++)
        {
            var pids = (await HostCommand.RunAsync("ip", ["netns", "pids", name], cancellationToken))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => int.Parse(p, CultureInfo.InvariantCulture))
                .ToList();
            if (pids.Count == 0)
            {
                return;
            }

            foreach (var pid in pids)
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // Already gone.
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), _time, cancellationToken);
        }

        throw new HostCommandException($"processes of local host {name} survived SIGKILL for 2 s");
    }

    private static bool IsMountPoint(string path)
    {
        var full = Path.GetFullPath(path);
        return File.ReadLines("/proc/self/mountinfo")
            .Select(l => l.Split(' '))
            .Any(f => f.Length > 4 && f[4].Replace("\\040", " ", StringComparison.Ordinal) == full);
    }
}

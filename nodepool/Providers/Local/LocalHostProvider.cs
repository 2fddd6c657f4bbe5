using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gating.Nodepool.Config;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gating.Nodepool.Providers.Local;

/// <summary>
/// The local driver: isolated hosts on the launcher's own machine. Each node is
/// <list type="bullet">
/// <item>a filesystem: an overlay (own upper dir) on the shared Debian rootfs that .ci/rootfs builds;</item>
/// <item>a network namespace with only its own loopback;</item>
/// <item>sshd on that loopback, run in bubblewrap with its own mount, pid, uts (host name) and ipc namespaces;</item>
/// <item>an SSH endpoint 127.0.0.1:port on the launcher's machine (<see cref="NamespaceRelay"/>).</item>
/// </list>
/// Deleting a node kills every process in its namespace, unmounts the overlay, removes the namespace and the
/// directory: nothing is left. Needs root (mount, ip netns).
/// </summary>
public sealed partial class LocalHostProvider : INodeProvider
{
    private const string SshdConfigPath = "/etc/ssh/sshd_config_gating";
    private const string SshdLogPath = "/var/log/gating-sshd.log";

    private readonly ProviderConfig _config;
    private readonly LocalDriverConfig _local;
    private readonly TimeSpan _bootTimeout;
    private readonly string _authorizedKey;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, NamespaceRelay> _relays = new(StringComparer.Ordinal);
    private int _portCursor;

    /// <summary>Builds the provider; <paramref name="authorizedKey"/> is the public key (one line) that may log in as root.</summary>
    public LocalHostProvider(ProviderConfig config, string authorizedKey, TimeProvider time, ILogger? logger = null)
    {
        if (config.Driver != "local" || config.Local is null)
        {
            throw new ArgumentException($"provider {config.Name} has driver {config.Driver}, not local", nameof(config));
        }

        Name = config.Name;
        _config = config;
        _local = config.Local;
        _bootTimeout = config.BootTimeout;
        _authorizedKey = authorizedKey.Trim();
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _portCursor = _local.PortFirst;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public ProviderQuota Quota => new(_local.PortLast - _local.PortFirst + 1);

    /// <summary>The instance name (network namespace, host name, directory) of a node id.</summary>
    public string InstanceName(string nodeId) => $"{_local.NamePrefix}-{nodeId}";

    /// <inheritdoc/>
    public async Task<ProviderNode> CreateAsync(NodeLaunch launch, CancellationToken cancellationToken)
    {
        if (launch.NodeId.Length is 0 or > 32 || !launch.NodeId.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new NodeLaunchException($"node id '{launch.NodeId}' must be 1-32 lower-case letters, digits or dashes");
        }

        var label = _config.Pools.FirstOrDefault(p => p.Name == launch.Pool)?.Label(launch.Label)
            ?? throw new NodeLaunchException($"pool {launch.Pool} of provider {Name} has no label {launch.Label}");
        if (!File.Exists(Path.Combine(_local.Rootfs, ".gating-rootfs")))
        {
            throw new NodeLaunchException($"the local hosts' root filesystem {_local.Rootfs} is missing or unfinished: build it with .ci/rootfs {_local.Rootfs}");
        }

        var name = InstanceName(launch.NodeId);
        try
        {
            var root = await MountOverlayAsync(name, cancellationToken);
            var hostKey = await PrepareRootAsync(root, name, cancellationToken);
            await HostCommand.RunAsync("ip", ["netns", "add", name], cancellationToken);
            await HostCommand.RunAsync("ip", ["-n", name, "link", "set", "lo", "up"], cancellationToken);
            await StartSshdAsync(name, root, cancellationToken);
            var start = Interlocked.Increment(ref _portCursor);
            var relay = NamespaceRelay.Start(name, 22, _local.PortFirst, _local.PortLast, start);
            _relays[name] = relay;
            LogCreated(_logger, name, relay.Port);
            return new ProviderNode(name, name, IPAddress.Loopback.ToString(), relay.Port, label.Username ?? "root")
            {
                PythonPath = label.PythonPath ?? "/usr/bin/python3",
                ShellType = "sh",
                HostKeys = [hostKey],
            };
        }
        catch (Exception e)
        {
            // Leave nothing half-made behind, whatever went wrong (cancellation included).
            await DeleteAsync(name, CancellationToken.None);
            if (e is OperationCanceledException or ProviderQuotaException)
            {
                throw;
            }

            throw new NodeLaunchException($"could not create local host {name}: {e.Message}", null, e);
        }
    }

    /// <inheritdoc/>
    public async Task<ProviderNode> WaitReadyAsync(ProviderNode node, CancellationToken cancellationToken)
    {
        var deadline = _time.GetTimestamp() + (long)(_bootTimeout.TotalSeconds * _time.TimestampFrequency);
        while (true)
        {
            if (await AnswersSshAsync(node.ConnectionPort, cancellationToken))
            {
                return node;
            }

            if (_time.GetTimestamp() > deadline)
            {
                var log = Path.Combine(DirectoryOf(node.ExternalId), "root", SshdLogPath.TrimStart('/'));
                var tail = File.Exists(log) ? string.Join(" | ", File.ReadLines(log).TakeLast(5)) : "no sshd log";
                throw new NodeLaunchException(
                    $"local host {node.ExternalId} did not answer ssh on 127.0.0.1:{node.ConnectionPort} within {_bootTimeout.TotalSeconds:0} s ({tail})",
                    node.ExternalId);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), _time, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async Task<ImmutableArray<ProviderInstance>> ListAsync(CancellationToken cancellationToken)
    {
        var prefix = _local.NamePrefix + "-";
        var namespaces = (await HostCommand.RunAsync("ip", ["netns", "list"], cancellationToken))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')[0]);
        var dirs = Directory.Exists(_local.WorkDir)
            ? Directory.EnumerateDirectories(_local.WorkDir).Select(Path.GetFileName).OfType<string>()
            : [];
        return [.. namespaces.Concat(dirs).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal)
            .Select(n => new ProviderInstance(n, n[prefix.Length..]))];
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var name in _relays.Keys.ToList())
        {
            if (_relays.TryRemove(name, out var relay))
            {
                await relay.DisposeAsync();
            }
        }
    }

    private string DirectoryOf(string name) => Path.Combine(_local.WorkDir, name);

    private async Task<string> MountOverlayAsync(string name, CancellationToken cancellationToken)
    {
        var dir = DirectoryOf(name);
        var (upper, work, root) = (Path.Combine(dir, "up"), Path.Combine(dir, "wk"), Path.Combine(dir, "root"));
        Directory.CreateDirectory(upper);
        Directory.CreateDirectory(work);
        Directory.CreateDirectory(root);
        await HostCommand.RunAsync("mount", ["-t", "overlay", "overlay", "-o", $"lowerdir={_local.Rootfs},upperdir={upper},workdir={work}", root], cancellationToken);
        return root;
    }

    // Writes what makes the overlay this host: name, login key, sshd config, its own host key. Returns the host key.
    private async Task<string> PrepareRootAsync(string root, string name, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(Path.Combine(root, "etc/hostname"), name + "\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(root, "etc/hosts"), $"127.0.0.1 localhost\n127.0.1.1 {name}\n::1 localhost\n", cancellationToken);
        var ssh = Path.Combine(root, "root/.ssh");
        Directory.CreateDirectory(ssh);
        var keys = Path.Combine(ssh, "authorized_keys");
        await File.WriteAllTextAsync(keys, _authorizedKey + "\n", cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var config = new StringBuilder()
            .AppendLine("ListenAddress 127.0.0.1").AppendLine("Port 22")
            .AppendLine("HostKey /etc/ssh/ssh_host_ed25519_key")
            .AppendLine("PasswordAuthentication no").AppendLine("KbdInteractiveAuthentication no")
            .AppendLine("PermitRootLogin prohibit-password").AppendLine("UsePAM no").AppendLine("StrictModes no")
            .AppendLine("MaxStartups 100:30:200").AppendLine("MaxSessions 100")
            .AppendLine("Subsystem sftp internal-sftp");
        await File.WriteAllTextAsync(Path.Combine(root, SshdConfigPath.TrimStart('/')), config.ToString(), cancellationToken);
        var key = Path.Combine(root, "etc/ssh/ssh_host_ed25519_key");
        await HostCommand.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key], cancellationToken);
        var pub = (await File.ReadAllTextAsync(key + ".pub", cancellationToken)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return $"{pub[0]} {pub[1]}";
    }

    // sshd runs detached (setsid, no pipes to us): it must outlive neither more nor less than its namespace, which
    // DeleteAsync empties. (bwrap --die-with-parent would tie it to the thread that spawned it, not to us.)
    private static Task StartSshdAsync(string name, string root, CancellationToken cancellationToken) =>
        HostCommand.RunAsync("sh",
        [
            "-c",
            "setsid ip netns exec \"$1\" bwrap --bind \"$2\" / --dev /dev --proc /proc --tmpfs /tmp --tmpfs /run --dir /run/sshd "
                + "--unshare-pid --unshare-uts --unshare-ipc --hostname \"$1\" "
                + $"/usr/sbin/sshd -D -f {SshdConfigPath} -E {SshdLogPath} </dev/null >/dev/null 2>&1 &",
            "sh", name, root,
        ], cancellationToken);

    // True when an SSH server answers through the relay with its banner.
    private static async Task<bool> AnswersSshAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), attempt.Token);
            var buffer = new byte[4];
            var read = 0;
            while (read < 4)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, attempt.Token);
                if (n == 0)
                {
                    return false;
                }

                read += n;
            }

            return buffer.AsSpan().SequenceEqual("SSH-"u8);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Created local host {Name} with ssh on 127.0.0.1:{Port}")]
    private static partial void LogCreated(ILogger logger, string name, int port);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Deleted local host {Name}")]
    private static partial void LogDeleted(ILogger logger, string name);
}

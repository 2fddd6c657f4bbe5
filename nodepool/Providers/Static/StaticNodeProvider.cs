using System.Collections.Immutable;
using Gating.Nodepool.Config;

namespace Gating.Nodepool.Providers.Static;

/// <summary>
/// The static driver (reference/zuul.md 5.5): existing SSH hosts, each with max-parallel-jobs slots. Creating a
/// node claims a free slot of a host with the label (the least recently claimed host first, so a dead host does
/// not take every retry); waiting checks the host is alive with a key scan before it is handed out; deleting
/// releases the slot, which is at once free again ("re-registered").
/// </summary>
public sealed class StaticNodeProvider : INodeProvider
{
    private readonly Lock _gate = new();
    private readonly ImmutableArray<Slot> _slots;
    private readonly Dictionary<string, string> _claimed = new(StringComparer.Ordinal); // external id -> node id
    private readonly Dictionary<string, long> _lastClaim = new(StringComparer.Ordinal);
    private long _claims;

    /// <summary>Builds the provider from its config; every host of every pool becomes its slots.</summary>
    public StaticNodeProvider(ProviderConfig config)
    {
        if (config.Driver != "static")
        {
            throw new ArgumentException($"provider {config.Name} has driver {config.Driver}, not static", nameof(config));
        }

        Name = config.Name;
        _slots = [.. config.Pools.SelectMany(pool => pool.Nodes.SelectMany(host =>
            Enumerable.Range(0, host.MaxParallelJobs).Select(i => new Slot(pool.Name, host, i))))];
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public ProviderQuota Quota => new(_slots.Length);

    /// <inheritdoc/>
    public Task<ProviderNode> CreateAsync(NodeLaunch launch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Slot slot;
        lock (_gate)
        {
            var serving = _slots.Where(s => s.Pool == launch.Pool && s.Host.Labels.Contains(launch.Label)).ToList();
            if (serving.Count == 0)
            {
                throw new NodeLaunchException($"no host of pool {launch.Pool} of provider {Name} has label {launch.Label}");
            }

            var free = serving.Where(s => !_claimed.ContainsKey(s.ExternalId))
                .OrderBy(s => _lastClaim.GetValueOrDefault(s.HostKey)).ThenBy(s => s.Index).FirstOrDefault()
                ?? throw new ProviderQuotaException($"all {serving.Count} slot(s) of label {launch.Label} in pool {launch.Pool} are in use");
            _claimed.Add(free.ExternalId, launch.NodeId);
            _lastClaim[free.HostKey] = ++_claims;
            slot = free;
        }

        var host = slot.Host;
        return Task.FromResult(new ProviderNode(slot.ExternalId, host.Name, host.Name, host.ConnectionPort, host.Username)
        {
            ConnectionType = host.ConnectionType,
            PythonPath = host.PythonPath,
            ShellType = host.ShellType,
            HostKeys = host.HostKeys,
            Slot = slot.Index,
        });
    }

    /// <inheritdoc/>
    public async Task<ProviderNode> WaitReadyAsync(ProviderNode node, CancellationToken cancellationToken)
    {
        var slot = _slots.FirstOrDefault(s => s.ExternalId == node.ExternalId)
            ?? throw new NodeLaunchException($"{node.ExternalId} is not a slot of provider {Name}");
        var host = slot.Host;
        if (!host.HostKeyChecking || host.ConnectionType != "ssh")
        {
            return node;
        }

        var keys = await KeyScan.ScanAsync(host.Name, host.ConnectionPort, host.Timeout, cancellationToken);
        if (keys.IsEmpty)
        {
            throw new NodeLaunchException(
                $"static host {host.Name}:{host.ConnectionPort} did not answer a key scan within {host.Timeout.TotalSeconds:0} s", node.ExternalId);
        }

        if (!host.HostKeys.IsEmpty && !keys.Intersect(host.HostKeys.Select(NormaliseKey)).Any())
        {
            throw new NodeLaunchException(
                $"static host {host.Name}:{host.ConnectionPort} presented host keys that match none of its configured host-key", node.ExternalId);
        }

        return node with { HostKeys = keys };
    }

    /// <inheritdoc/>
    public Task DeleteAsync(string externalId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _claimed.Remove(externalId);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<ImmutableArray<ProviderInstance>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_claimed.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new ProviderInstance(c.Key, c.Value)).ToImmutableArray());
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    // Configured keys may carry a trailing comment; the scan gives "type base64".
    private static string NormaliseKey(string key) => string.Join(' ', key.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(2));

    private sealed record Slot(string Pool, StaticNodeConfig Host, int Index)
    {
        public string HostKey => $"{Host.Name}:{Host.ConnectionPort}";

        public string ExternalId => $"{Pool}/{Host.Name}:{Host.ConnectionPort}#{Index}";
    }
}

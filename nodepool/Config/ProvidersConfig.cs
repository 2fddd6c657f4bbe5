using System.Collections.Immutable;

namespace Gating.Nodepool.Config;

/// <summary>
/// The launcher's providers file, in the shape of nodepool.yaml (reference/zuul.md 5.1): labels, providers with
/// pools, tenant resource limits. Parsed by <see cref="ProvidersConfigParser"/>.
/// </summary>
public sealed record ProvidersConfig(
    ImmutableArray<LabelConfig> Labels,
    ImmutableArray<ProviderConfig> Providers,
    ImmutableArray<TenantResourceLimit> TenantResourceLimits)
{
    /// <summary>The longest any node may stay held (<c>max-hold-age</c>); null for no limit.</summary>
    public TimeSpan? MaxHoldAge { get; init; }

    /// <summary>The label with that name, or null.</summary>
    public LabelConfig? Label(string name) => Labels.FirstOrDefault(l => l.Name == name);

    /// <summary>The tenant's limits, or null when the tenant has none.</summary>
    public TenantResourceLimit? TenantLimit(string? tenant) =>
        tenant is null ? null : TenantResourceLimits.FirstOrDefault(t => t.TenantName == tenant);

    /// <summary>Every pool of every provider.</summary>
    public IEnumerable<(ProviderConfig Provider, PoolConfig Pool)> Pools() =>
        Providers.SelectMany(p => p.Pools.Select(pool => (p, pool)));
}

/// <summary>A label: a named node type, with how many ready nodes to keep and how long they may wait.</summary>
/// <param name="Name">The label name.</param>
public sealed record LabelConfig(string Name)
{
    /// <summary>How many ready, unallocated nodes to keep (<c>min-ready</c>).</summary>
    public int MinReady { get; init; }

    /// <summary>How long an unallocated ready node may wait before it is deleted (<c>max-ready-age</c>); null: forever.</summary>
    public TimeSpan? MaxReadyAge { get; init; }
}

/// <summary>A provider: a source of nodes of one driver, with its pools.</summary>
/// <param name="Name">Unique provider name.</param>
/// <param name="Driver">static, local, or a later driver (kubernetes, openstack, ...).</param>
public sealed record ProviderConfig(string Name, string Driver)
{
    /// <summary>Lower is preferred when several pools can serve a request (default 100).</summary>
    public int Priority { get; init; } = 100;

    /// <summary>How many requests the provider handles at once; 0 for no limit.</summary>
    public int MaxConcurrency { get; init; }

    /// <summary>How many times a failed launch is tried before the node fails (<c>launch-retries</c>).</summary>
    public int LaunchRetries { get; init; } = 3;

    /// <summary>How long a node may take to become reachable (<c>boot-timeout</c>).</summary>
    public TimeSpan BootTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The pools.</summary>
    public ImmutableArray<PoolConfig> Pools { get; init; } = [];

    /// <summary>Settings of the local driver; null for other drivers.</summary>
    public LocalDriverConfig? Local { get; init; }
}

/// <summary>A pool of a provider: labels it serves and its quota.</summary>
/// <param name="Name">Pool name, unique in its provider.</param>
public sealed record PoolConfig(string Name)
{
    /// <summary>The pool's priority; null for the provider's.</summary>
    public int? Priority { get; init; }

    /// <summary>Most nodes at once (<c>max-servers</c>); null for no limit.</summary>
    public int? MaxServers { get; init; }

    /// <summary>Most cores at once (<c>max-cores</c>); null for no limit.</summary>
    public int? MaxCores { get; init; }

    /// <summary>Most RAM in MB at once (<c>max-ram</c>); null for no limit.</summary>
    public long? MaxRam { get; init; }

    /// <summary>The labels the pool serves.</summary>
    public ImmutableArray<PoolLabelConfig> Labels { get; init; } = [];

    /// <summary>Attributes copied onto every node (<c>node-attributes</c>, e.g. executor-zone).</summary>
    public ImmutableDictionary<string, string> NodeAttributes { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>The static driver's hosts.</summary>
    public ImmutableArray<StaticNodeConfig> Nodes { get; init; } = [];

    /// <summary>The pool label with that name, or null.</summary>
    public PoolLabelConfig? Label(string name) => Labels.FirstOrDefault(l => l.Name == name);
}

/// <summary>A label as a pool serves it, with what one node of it takes from quota.</summary>
/// <param name="Name">The label name (declared in <see cref="ProvidersConfig.Labels"/>).</param>
public sealed record PoolLabelConfig(string Name)
{
    /// <summary>Cores of one node (<c>cores</c>, or the driver's flavor).</summary>
    public int Cores { get; init; }

    /// <summary>RAM in MB of one node (<c>ram</c>).</summary>
    public long Ram { get; init; }

    /// <summary>Login user of nodes of this label; null for the driver's default.</summary>
    public string? Username { get; init; }

    /// <summary>Ansible's python on nodes of this label; null for the driver's default.</summary>
    public string? PythonPath { get; init; }
}

/// <summary>A host of the static driver (reference/zuul.md 5.5).</summary>
/// <param name="Name">Host name or address.</param>
/// <param name="Labels">Labels the host serves.</param>
public sealed record StaticNodeConfig(string Name, ImmutableArray<string> Labels)
{
    /// <summary>Login user (default zuul).</summary>
    public string Username { get; init; } = "zuul";

    /// <summary>ssh, winrm, network_cli, ...</summary>
    public string ConnectionType { get; init; } = "ssh";

    /// <summary>Port (22 for ssh, 5986 for winrm).</summary>
    public int ConnectionPort { get; init; } = 22;

    /// <summary>Known host keys; empty to take them from a scan.</summary>
    public ImmutableArray<string> HostKeys { get; init; } = [];

    /// <summary>Whether to scan the host keys (and check them against <see cref="HostKeys"/>) before use.</summary>
    public bool HostKeyChecking { get; init; } = true;

    /// <summary>How long a key scan may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Ansible's python; null for discovery.</summary>
    public string? PythonPath { get; init; }

    /// <summary>Ansible's shell type; null for the default.</summary>
    public string? ShellType { get; init; }

    /// <summary>How many jobs may use the host at once: one node record (slot) per job.</summary>
    public int MaxParallelJobs { get; init; } = 1;
}

/// <summary>Settings of the local driver: isolated hosts on the launcher's machine.</summary>
public sealed record LocalDriverConfig
{
    /// <summary>The Debian root filesystem each node is an overlay of (built by .ci/rootfs).</summary>
    public string Rootfs { get; init; } = "/var/cache/gating/rootfs-bookworm";

    /// <summary>Where node overlays live.</summary>
    public string WorkDir { get; init; } = "/var/lib/gating/nodes";

    /// <summary>The public key file put in each node's root authorized_keys.</summary>
    public string? AuthorizedKey { get; init; }

    /// <summary>Loopback ports to give nodes' SSH endpoints, first..last inclusive.</summary>
    public int PortFirst { get; init; } = 23500;

    /// <inheritdoc cref="PortFirst"/>
    public int PortLast { get; init; } = 23599;

    /// <summary>Prefix of network namespace and host names, so one launcher's leak cleanup finds only its own.</summary>
    public string NamePrefix { get; init; } = "gnp";
}

/// <summary>A tenant's resource limits (<c>tenant-resource-limits</c>); null fields are unlimited.</summary>
/// <param name="TenantName">The tenant.</param>
public sealed record TenantResourceLimit(string TenantName)
{
    /// <summary>Most nodes at once.</summary>
    public int? MaxServers { get; init; }

    /// <summary>Most cores at once.</summary>
    public int? MaxCores { get; init; }

    /// <summary>Most RAM (MB) at once.</summary>
    public long? MaxRam { get; init; }
}

/// <summary>An error in the providers file, with where it is.</summary>
public sealed record ProvidersConfigError(string File, int Line, int Column, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}

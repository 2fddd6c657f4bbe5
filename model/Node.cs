using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>
/// One node (a host a job runs on), with the fields of Nodepool's node znode (reference/zuul.md 1.4):
/// <c>/nodepool/nodes/&lt;id&gt;</c>. Immutable: a state change is a new record with a later <see cref="StateTime"/>.
/// </summary>
/// <param name="Id">Zero-padded sequence id, e.g. "0000000042".</param>
/// <param name="State">Where the node is in its life.</param>
/// <param name="StateTime">When <see cref="State"/> last changed.</param>
/// <param name="Provider">The provider that made the node.</param>
/// <param name="Pool">The pool of that provider.</param>
/// <param name="Labels">The labels the node satisfies (Nodepool's <c>type</c>).</param>
public sealed record Node(
    string Id,
    NodeState State,
    DateTimeOffset StateTime,
    string Provider,
    string Pool,
    ImmutableArray<string> Labels)
{
    /// <summary>The request the node is allocated to; null when free for reuse.</summary>
    public string? AllocatedTo { get; init; }

    /// <summary>The address to reach the node at (Nodepool's <c>interface_ip</c>).</summary>
    public string? InterfaceIp { get; init; }

    /// <summary>Public IPv4 address, when the provider has one.</summary>
    public string? PublicIpv4 { get; init; }

    /// <summary>Private IPv4 address, when the provider has one.</summary>
    public string? PrivateIpv4 { get; init; }

    /// <summary>The node's host name.</summary>
    public string? Hostname { get; init; }

    /// <summary>ssh, winrm, kubectl, namespace, network_cli, ...</summary>
    public string ConnectionType { get; init; } = "ssh";

    /// <summary>The port of <see cref="InterfaceIp"/> to connect to.</summary>
    public int ConnectionPort { get; init; } = 22;

    /// <summary>The login user.</summary>
    public string Username { get; init; } = "zuul";

    /// <summary>Ansible's interpreter on the node (e.g. /usr/bin/python3); null for Ansible's discovery.</summary>
    public string? PythonPath { get; init; }

    /// <summary>Ansible's shell type (sh, csh, powershell, cmd); null for the default.</summary>
    public string? ShellType { get; init; }

    /// <summary>SSH host keys as "type base64" lines, from a key scan; empty when not checked.</summary>
    public ImmutableArray<string> HostKeys { get; init; } = [];

    /// <summary>The provider's id for the host (cloud server id, static host name + slot, namespace name).</summary>
    public string? ExternalId { get; init; }

    /// <summary>The slot of a static host with several parallel jobs; null otherwise.</summary>
    public int? Slot { get; init; }

    /// <summary>The pool's node-attributes (e.g. executor-zone).</summary>
    public ImmutableDictionary<string, string> Attributes { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Resources the node takes from quota.</summary>
    public NodeResources Resources { get; init; } = NodeResources.OneServer;

    /// <summary>The launcher that made the node.</summary>
    public string? Launcher { get; init; }

    /// <summary>When the record was created.</summary>
    public DateTimeOffset CreatedTime { get; init; }

    /// <summary>Cloud, region and availability zone where the provider has them.</summary>
    public string? Cloud { get; init; }

    /// <inheritdoc cref="Cloud"/>
    public string? Region { get; init; }

    /// <inheritdoc cref="Cloud"/>
    public string? Az { get; init; }

    /// <summary>The tenant whose request the node was made for (tenant quota counts it).</summary>
    public string? TenantName { get; init; }

    /// <summary>The requestor of the request the node was made for.</summary>
    public string? Requestor { get; init; }

    /// <summary>For held nodes: "&lt;tenant&gt; &lt;project&gt; &lt;job&gt; &lt;ref filter&gt;".</summary>
    public string? HoldJob { get; init; }

    /// <summary>Free text, e.g. the autohold reason.</summary>
    public string? Comment { get; init; }

    /// <summary>For held nodes: how long after <see cref="StateTime"/> the hold ends; null for no limit.</summary>
    public TimeSpan? HoldExpiration { get; init; }

    /// <summary>Opaque data of the user (Zuul stores its system id here).</summary>
    public ImmutableDictionary<string, string> UserData { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>True when the node has the label.</summary>
    public bool HasLabel(string label) => Labels.Contains(label, StringComparer.Ordinal);

    /// <summary>A copy in <paramref name="state"/> since <paramref name="now"/>.</summary>
    public Node WithState(NodeState state, DateTimeOffset now) => this with { State = state, StateTime = now };
}

/// <summary>What a node takes from quota: servers (instances), cores and RAM in MB.</summary>
public readonly record struct NodeResources(int Servers, int Cores, long RamMb)
{
    /// <summary>Nothing.</summary>
    public static readonly NodeResources Zero = new(0, 0, 0);

    /// <summary>One server with no core or RAM accounting.</summary>
    public static readonly NodeResources OneServer = new(1, 0, 0);

    /// <summary>Sum of two resource amounts.</summary>
    public static NodeResources operator +(NodeResources a, NodeResources b) =>
        new(a.Servers + b.Servers, a.Cores + b.Cores, a.RamMb + b.RamMb);

    /// <summary>Difference of two resource amounts.</summary>
    public static NodeResources operator -(NodeResources a, NodeResources b) =>
        new(a.Servers - b.Servers, a.Cores - b.Cores, a.RamMb - b.RamMb);
}

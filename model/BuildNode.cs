using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>A node a build runs on, as the executor writes it into the inventory (zuul.md section 4.3).</summary>
/// <param name="Name">The inventory host name (the nodeset's node name).</param>
/// <param name="Host">The address to connect to (<c>ansible_host</c>, nodepool's interface_ip).</param>
/// <param name="Port">The connection port.</param>
/// <param name="User">The user to log in as; null for the executor's default.</param>
/// <param name="Connection">The Ansible connection type (ssh, winrm, kubectl, network_cli...).</param>
/// <param name="PythonPath">The node's Python; null or "auto" for discovery.</param>
/// <param name="Label">The nodepool label.</param>
/// <param name="HostKeys">SSH host keys (<c>type base64</c>); empty disables host key checking for this node.</param>
/// <param name="ShellType">The Ansible shell type, when set.</param>
/// <param name="Provider">The nodepool provider that made the node.</param>
/// <param name="NodeId">The nodepool node id.</param>
public sealed record BuildNode(
    string Name,
    string Host,
    int Port,
    string? User,
    string Connection = "ssh",
    string? PythonPath = null,
    string Label = "",
    ImmutableArray<string> HostKeys = default,
    string? ShellType = null,
    string Provider = "",
    string NodeId = "");

/// <summary>A group of the nodeset (an inventory child group).</summary>
public sealed record BuildNodeGroup(string Name, ImmutableArray<string> Nodes);

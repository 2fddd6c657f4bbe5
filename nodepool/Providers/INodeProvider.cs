using System.Collections.Immutable;

namespace Gating.Nodepool.Providers;

/// <summary>
/// A source of hosts for one provider of the providers file. The launcher calls it for the node records it keeps
/// in ZooKeeper: create, wait until reachable, delete, and list (to find leaked instances no record knows).
/// A cloud or Kubernetes driver implements the same interface; <c>NodeProviderContract</c> in the tests is the
/// behaviour every implementation must show.
/// </summary>
public interface INodeProvider : IAsyncDisposable
{
    /// <summary>The provider's name in the providers file.</summary>
    string Name { get; }

    /// <summary>What the provider itself can hold at once, whatever the pools say (static: its slots).</summary>
    ProviderQuota Quota { get; }

    /// <summary>
    /// Starts making a host for the label. Throws <see cref="ProviderQuotaException"/> when the provider is full
    /// now (the node is aborted and retried later, not failed) and <see cref="NodeLaunchException"/> when the
    /// launch failed. Whatever it made before failing is cleaned up by <see cref="DeleteAsync"/> of the
    /// <see cref="NodeLaunchException.ExternalId"/>, if any.
    /// </summary>
    Task<ProviderNode> CreateAsync(NodeLaunch launch, CancellationToken cancellationToken);

    /// <summary>
    /// Waits until the host answers (SSH banner or key scan) and returns it with its host keys; throws
    /// <see cref="NodeLaunchException"/> when it does not within the provider's boot timeout.
    /// </summary>
    Task<ProviderNode> WaitReadyAsync(ProviderNode node, CancellationToken cancellationToken);

    /// <summary>Deletes the host and everything it held. Idempotent: deleting an unknown id does nothing.</summary>
    Task DeleteAsync(string externalId, CancellationToken cancellationToken);

    /// <summary>Every instance this provider has now, with the node id it was made for (for leak cleanup).</summary>
    Task<ImmutableArray<ProviderInstance>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>What one new node needs: the record's id and the label to give it.</summary>
/// <param name="NodeId">The node record's id (unique per launcher cluster).</param>
/// <param name="Label">The label.</param>
/// <param name="Pool">The pool of the provider it is for.</param>
public sealed record NodeLaunch(string NodeId, string Label, string Pool);

/// <summary>A host as the provider made it: where and how to reach it.</summary>
/// <param name="ExternalId">The provider's id of the instance.</param>
/// <param name="Hostname">The host's name.</param>
/// <param name="InterfaceIp">The address to connect to.</param>
/// <param name="ConnectionPort">The port to connect to.</param>
/// <param name="Username">The login user.</param>
public sealed record ProviderNode(string ExternalId, string Hostname, string InterfaceIp, int ConnectionPort, string Username)
{
    /// <summary>ssh, winrm, ...</summary>
    public string ConnectionType { get; init; } = "ssh";

    /// <summary>Ansible's python; null for discovery.</summary>
    public string? PythonPath { get; init; }

    /// <summary>Ansible's shell type; null for the default.</summary>
    public string? ShellType { get; init; }

    /// <summary>Host keys as "type base64".</summary>
    public ImmutableArray<string> HostKeys { get; init; } = [];

    /// <summary>The slot of a static host; null otherwise.</summary>
    public int? Slot { get; init; }
}

/// <summary>An instance the provider has: its id and the node record id it was made for.</summary>
/// <param name="ExternalId">The provider's id of the instance.</param>
/// <param name="NodeId">The node id given to <see cref="INodeProvider.CreateAsync"/>.</param>
public sealed record ProviderInstance(string ExternalId, string NodeId);

/// <summary>How many nodes a provider can hold at once; null for no limit of its own.</summary>
public sealed record ProviderQuota(int? MaxServers);

/// <summary>A launch failed; <see cref="ExternalId"/> names what to delete, when something was made.</summary>
public sealed class NodeLaunchException(string message, string? externalId = null, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The instance made before the failure, to delete; null when nothing was made.</summary>
    public string? ExternalId { get; } = externalId;
}

/// <summary>The provider is full now; the launch may succeed later (Nodepool's "aborted" node).</summary>
public sealed class ProviderQuotaException(string message) : Exception(message);

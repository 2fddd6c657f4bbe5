using System.Collections.Immutable;
using Gating.Coordination;
using Gating.Model;
using Gating.Nodepool.Store;
using Gating.ZooKeeper;

namespace Gating.Executor.Server;

/// <summary>A node of the build could not be used; the build is retried (with new nodes) by the scheduler.</summary>
public sealed class NodeUnavailableException(string message) : Exception(message);

/// <summary>
/// The nodes of one build, locked in nodepool's store with the executor's session (Zuul's executor locks the nodeset
/// and marks it in-use; reference/zuul.md 4.2 step 5): read from <c>/nodepool/nodes/&lt;id&gt;</c>, set
/// <c>in-use</c>, and at the end set <c>used</c> and unlocked, so the launcher cleans or re-registers them. Each node
/// appears in the inventory once per name the nodeset gives it.
/// </summary>
public sealed class BuildNodes : IAsyncDisposable
{
    private readonly ZooKeeperNodeStore _store;
    private readonly TimeProvider _time;
    private readonly List<(Node Node, IAsyncDisposable Lock)> _held = [];

    private BuildNodes(ZooKeeperNodeStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    /// <summary>The inventory hosts.</summary>
    public ImmutableArray<BuildNode> Hosts { get; private set; } = [];

    /// <summary>Locks and reads every node; throws <see cref="NodeUnavailableException"/> (after unlocking) when one is
    /// gone, locked by someone else, or not usable.</summary>
    public static async Task<BuildNodes> AcquireAsync(IZooKeeper zk, ZooKeeperNodeStore store, ImmutableArray<BuildNodeRef> refs,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var nodes = new BuildNodes(store, time);
        try
        {
            var hosts = ImmutableArray.CreateBuilder<BuildNode>();
            foreach (var nodeRef in refs.IsDefault ? [] : refs)
            {
                var handle = await store.TryLockNodeAsync(nodeRef.NodeId, cancellationToken).ConfigureAwait(false)
                    ?? throw new NodeUnavailableException($"Node {nodeRef.NodeId} ({string.Join(", ", nodeRef.Names)}) is gone or locked by another component");
                var data = await zk.TryGetDataAsync(ZkPaths.Node(nodeRef.NodeId), null, cancellationToken).ConfigureAwait(false);
                if (data is null || data.Data.Length == 0)
                {
                    await handle.DisposeAsync().ConfigureAwait(false);
                    throw new NodeUnavailableException($"Node {nodeRef.NodeId} is gone");
                }
                var node = NodepoolJson.ReadNode(nodeRef.NodeId, data.Data);
                // In-use and unlocked means its last executor died: the node is still ours to use for the retry.
                if (node.State is not (NodeState.Ready or NodeState.InUse))
                {
                    await handle.DisposeAsync().ConfigureAwait(false);
                    throw new NodeUnavailableException($"Node {nodeRef.NodeId} is {node.State.ToWire()}, not ready");
                }
                node = node.WithState(NodeState.InUse, time.GetUtcNow());
                await store.SaveNodeAsync(node, cancellationToken).ConfigureAwait(false);
                nodes._held.Add((node, handle));
                foreach (var name in nodeRef.Names)
                {
                    hosts.Add(ToHost(name, node));
                }
            }
            nodes.Hosts = hosts.ToImmutable();
            return nodes;
        }
        catch
        {
            await nodes.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The inventory host of one node name.</summary>
    public static BuildNode ToHost(string name, Node node) => new(
        name,
        node.InterfaceIp ?? node.Hostname ?? node.PublicIpv4 ?? node.PrivateIpv4
            ?? throw new NodeUnavailableException($"Node {node.Id} has no address"),
        node.ConnectionPort,
        node.Username,
        node.ConnectionType,
        node.PythonPath,
        node.Labels.IsDefaultOrEmpty ? "" : node.Labels[0],
        node.HostKeys,
        node.ShellType,
        node.Provider,
        node.Id);

    /// <summary>Returns the nodes: <c>used</c>, then unlocked.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var (node, handle) in _held)
        {
            try
            {
                await _store.SaveNodeAsync(node.WithState(NodeState.Used, _time.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);
            }
            catch (ZooKeeperException)
            {
                // The session is gone: the lock went with it and the launcher cleans the node up as in-use and unlocked.
            }
            await handle.DisposeAsync().ConfigureAwait(false);
        }
        _held.Clear();
    }
}

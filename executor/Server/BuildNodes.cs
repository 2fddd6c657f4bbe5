using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gating.Coordination;
using Gating.Model;
using Gating.ZooKeeper;

namespace Gating.Executor.Server;

/// <summary>A node of the build could not be used; the build is retried (with new nodes) by the scheduler.</summary>
public sealed class NodeUnavailableException(string message) : Exception(message);

/// <summary>
/// The nodes of one build, locked with the executor's session (Zuul's executor locks the nodeset and marks it
/// in-use; reference/zuul.md 4.2 step 5). Works on Nodepool's node znodes directly (<see cref="ZkPaths.Node"/>,
/// locked with the lock recipe on <see cref="ZkPaths.NodeLock"/>, as nodepool's launcher and Zuul's kazoo lock do): the executor depends on the
/// data layout, not on the launcher's code. A node is read, set <c>in-use</c> (every other field kept as the launcher
/// wrote it), and at the end set <c>used</c> and unlocked, so the launcher cleans or re-registers it. Each node appears
/// in the inventory once per name the nodeset gives it.
/// </summary>
public sealed class BuildNodes : IAsyncDisposable
{
    private readonly IZooKeeper _zk;
    private readonly TimeProvider _time;
    private readonly List<(string Id, LockHandle Lock)> _held = [];

    private BuildNodes(IZooKeeper zk, TimeProvider time)
    {
        _zk = zk;
        _time = time;
    }

    /// <summary>The inventory hosts.</summary>
    public ImmutableArray<BuildNode> Hosts { get; private set; } = [];

    /// <summary>Locks and reads every node; throws <see cref="NodeUnavailableException"/> (after unlocking) when one is
    /// gone, locked by someone else, or not usable.</summary>
    public static async Task<BuildNodes> AcquireAsync(IZooKeeper zk, ImmutableArray<BuildNodeRef> refs, TimeProvider time, CancellationToken cancellationToken)
    {
        var nodes = new BuildNodes(zk, time);
        try
        {
            var hosts = ImmutableArray.CreateBuilder<BuildNode>();
            foreach (var nodeRef in refs.IsDefault ? [] : refs)
            {
                var id = nodeRef.NodeId;
                var handle = await ZkLock.Exclusive(zk, ZkPaths.NodeLock(id), time).TryAcquireWhileExistsAsync(ZkPaths.Node(id), cancellationToken).ConfigureAwait(false)
                    ?? throw new NodeUnavailableException(await zk.ExistsAsync(ZkPaths.Node(id), null, cancellationToken).ConfigureAwait(false) is null
                        ? $"Node {id} ({string.Join(", ", nodeRef.Names)}) is gone"
                        : $"Node {id} ({string.Join(", ", nodeRef.Names)}) is locked by another component");
                nodes._held.Add((id, handle));
                var record = await nodes.SetStateAsync(id, "in-use", ["ready", "in-use"], cancellationToken).ConfigureAwait(false);
                foreach (var name in nodeRef.Names)
                {
                    hosts.Add(ToHost(name, id, record));
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

    /// <summary>The inventory host of one node name, from the node znode's fields.</summary>
    public static BuildNode ToHost(string name, string id, JsonObject node)
    {
        string? Text(string key) => node[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
        var address = Text("interface_ip") ?? Text("hostname") ?? Text("public_ipv4") ?? Text("private_ipv4")
            ?? throw new NodeUnavailableException($"Node {id} has no address");
        var port = node["connection_port"] is JsonValue p && p.TryGetValue<int>(out var value) ? value : 22;
        ImmutableArray<string> Strings(string key) => node[key] is JsonArray a ? [.. a.Select(e => e?.GetValue<string>() ?? "")] : [];
        var labels = Strings("type");
        return new BuildNode(name, address, port, Text("username"), Text("connection_type") ?? "ssh", Text("python_path"),
            labels.IsEmpty ? "" : labels[0], Strings("host_keys"), Text("shell_type"), Text("provider") ?? "", id);
    }

    private async Task<JsonObject> SetStateAsync(string id, string state, string[]? expected, CancellationToken cancellationToken)
    {
        while (true)
        {
            var data = await _zk.TryGetDataAsync(ZkPaths.Node(id), null, cancellationToken).ConfigureAwait(false);
            if (data is null || data.Data.Length == 0 || JsonNode.Parse(data.Data) is not JsonObject record)
            {
                throw new NodeUnavailableException($"Node {id} is gone");
            }
            var current = record["state"]?.GetValue<string>() ?? "";
            // In-use and unlocked means its last executor died: the node is still this build's to use for the retry.
            if (expected is not null && !expected.Contains(current, StringComparer.Ordinal))
            {
                throw new NodeUnavailableException($"Node {id} is {current}, not ready");
            }
            record["state"] = state;
            record["state_time"] = (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).TotalSeconds;
            try
            {
                await _zk.SetDataAsync(ZkPaths.Node(id), JsonSerializer.SerializeToUtf8Bytes(record), data.Stat.Version, cancellationToken).ConfigureAwait(false);
                return record;
            }
            catch (ZooKeeperException e) when (e.Code == ErrorCode.BadVersion)
            {
                // The launcher wrote it meanwhile: read again.
            }
        }
    }

    /// <summary>Returns the nodes: <c>used</c>, then unlocked.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var (id, handle) in _held)
        {
            try
            {
                await SetStateAsync(id, "used", null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ZooKeeperException or NodeUnavailableException)
            {
                // Gone, or the session is gone (and the lock with it): the launcher cleans the node up.
            }
            try
            {
                await handle.DisposeAsync().ConfigureAwait(false);
            }
            catch (ZooKeeperException)
            {
                // The session is gone: ZooKeeper removed the ephemeral contender already.
            }
        }
        _held.Clear();
    }
}

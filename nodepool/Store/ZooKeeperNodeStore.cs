using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Gating.Coordination;
using Gating.Model;
using Gating.Nodepool.Decisions;
using Gating.Nodepool.Launcher;
using Gating.ZooKeeper;

namespace Gating.Nodepool.Store;

/// <summary>
/// <see cref="INodeStore"/> on ZooKeeper, one per launcher (or requestor) session, with reference/zuul.md 1.4's
/// layout under <c>root</c> (normally /nodepool): requests/&lt;prio&gt;-&lt;seq&gt;, requests-lock/&lt;id&gt;,
/// nodes/&lt;id&gt; (+ /lock), components/pool/&lt;pool&gt;.
/// <list type="bullet">
/// <item>Locks are the coordination lock recipe (<see cref="ZkLock"/>, kazoo's contender names), so Zuul, Nodepool
/// and Gating's executor interoperate on them; contenders are ephemeral and vanish with a dead launcher's session.</item>
/// <item>Read-modify-writes (<see cref="UpdateNodeAsync"/>, <see cref="UpdateRequestAsync"/>) write with the
/// version they read; a conflict re-reads and re-applies the change, never losing the other writer's update.</item>
/// <item><see cref="WatchAsync"/> is a persistent recursive watch on requests/ and nodes/.</item>
/// </list>
/// </summary>
public sealed partial class ZooKeeperNodeStore : INodeStore
{
    private readonly IZooKeeper _zk;
    private readonly string _root;
    private readonly TimeProvider _time;
    private readonly byte[] _identifier;

    private ZooKeeperNodeStore(IZooKeeper zk, string root, string identifier, TimeProvider time)
    {
        _zk = zk;
        _root = root.TrimEnd('/');
        _identifier = Encoding.UTF8.GetBytes(identifier);
        _time = time;
    }

    /// <summary>Opens the store on a session, creating the layout's parent znodes when missing.</summary>
    public static Task<ZooKeeperNodeStore> OpenAsync(IZooKeeper zk, string root, CancellationToken cancellationToken) =>
        OpenAsync(zk, root, "gating", TimeProvider.System, cancellationToken);

    /// <summary>
    /// Opens the store on a session; <paramref name="identifier"/> (the launcher's name) is written into its lock
    /// contenders so operators see who holds what; <paramref name="time"/> times lock-loss detection.
    /// </summary>
    public static async Task<ZooKeeperNodeStore> OpenAsync(IZooKeeper zk, string root, string identifier, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zk);
        var store = new ZooKeeperNodeStore(zk, root, identifier, time);
        foreach (var child in new[] { "requests", "requests-lock", "nodes", "components/pool" })
        {
            await zk.EnsurePathAsync($"{store._root}/{child}", cancellationToken);
        }

        return store;
    }

    /// <summary>The session the store works through.</summary>
    public IZooKeeper Session => _zk;

    private string Requests => _root + "/requests";

    private string RequestLocks => _root + "/requests-lock";

    private string Nodes => _root + "/nodes";

    private string Pools => _root + "/components/pool";

    private string NodePath(string id) => $"{Nodes}/{id}";

    private string RequestPath(string id) => $"{Requests}/{id}";

    /// <inheritdoc/>
    public async Task<ImmutableArray<Node>> NodesAsync(CancellationToken cancellationToken)
    {
        var result = ImmutableArray.CreateBuilder<Node>();
        foreach (var (id, data) in await ReadChildrenAsync(Nodes, cancellationToken))
        {
            result.Add(NodepoolJson.ReadNode(id, data));
        }

        return [.. result.OrderBy(n => n.Id, StringComparer.Ordinal)];
    }

    /// <inheritdoc/>
    public async Task<ImmutableArray<NodeRequest>> RequestsAsync(CancellationToken cancellationToken)
    {
        var result = ImmutableArray.CreateBuilder<NodeRequest>();
        foreach (var (id, data) in await ReadChildrenAsync(Requests, cancellationToken))
        {
            result.Add(NodepoolJson.ReadRequest(id, data));
        }

        return [.. result.OrderBy(r => r.Id, StringComparer.Ordinal)];
    }

    /// <inheritdoc/>
    public async Task<Node?> NodeAsync(string id, CancellationToken cancellationToken) =>
        await _zk.TryGetDataAsync(NodePath(id), null, cancellationToken) is { Data.Length: > 0 } data ? NodepoolJson.ReadNode(id, data.Data) : null;

    /// <inheritdoc/>
    public async Task<NodeRequest?> RequestAsync(string id, CancellationToken cancellationToken) =>
        await _zk.TryGetDataAsync(RequestPath(id), null, cancellationToken) is { Data.Length: > 0 } data ? NodepoolJson.ReadRequest(id, data.Data) : null;

    /// <inheritdoc/>
    public async Task<string> NewNodeIdAsync(CancellationToken cancellationToken)
    {
        // Nodepool names nodes by a sequential znode; it stays empty until the first save.
        var created = await _zk.CreateAsync(Nodes + "/", ReadOnlyMemory<byte>.Empty, CreateOptions.PersistentSequential, cancellationToken);
        return ZkPaths.Name(created.Path);
    }

    /// <inheritdoc/>
    public async Task SaveNodeAsync(Node node, CancellationToken cancellationToken)
    {
        var path = NodePath(node.Id);
        try
        {
            await _zk.SetDataAsync(path, NodepoolJson.Write(node), ZooKeeperVersion.Any, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
        {
            await _zk.CreateAsync(path, NodepoolJson.Write(node), CreateOptions.Persistent, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public Task<Node?> UpdateNodeAsync(string id, Func<Node, Node?> change, CancellationToken cancellationToken) =>
        UpdateAsync(NodePath(id), data => NodepoolJson.ReadNode(id, data), n => change(n) is { } c ? c with { Id = id } : null, NodepoolJson.Write, cancellationToken);

    /// <inheritdoc/>
    public Task<NodeRequest?> UpdateRequestAsync(string id, Func<NodeRequest, NodeRequest?> change, CancellationToken cancellationToken) =>
        UpdateAsync(RequestPath(id), data => NodepoolJson.ReadRequest(id, data), r => change(r) is { } c ? c with { Id = id } : null, NodepoolJson.Write, cancellationToken);

    /// <inheritdoc/>
    public async Task DeleteNodeAsync(string id, CancellationToken cancellationToken) =>
        await _zk.DeleteTreeAsync(NodePath(id), cancellationToken); // with its lock znode, as Nodepool does

    /// <inheritdoc/>
    public async Task<NodeRequest> SubmitRequestAsync(NodeRequest request, CancellationToken cancellationToken)
    {
        var prefix = $"{Requests}/{request.Priority:D3}-";
        var created = await _zk.CreateAsync(prefix, NodepoolJson.Write(request), CreateOptions.PersistentSequential, cancellationToken);
        return request with { Id = ZkPaths.Name(created.Path) };
    }

    /// <inheritdoc/>
    public async Task<bool> SaveRequestAsync(NodeRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await _zk.SetDataAsync(RequestPath(request.Id), NodepoolJson.Write(request), ZooKeeperVersion.Any, cancellationToken);
            return true;
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public async Task DeleteRequestAsync(string id, CancellationToken cancellationToken)
    {
        await _zk.TryDeleteAsync(RequestPath(id), cancellationToken);
        await RemoveLockIfFreeAsync($"{RequestLocks}/{id}", cancellationToken);
    }

    /// <inheritdoc/>
    public async Task RegisterPoolAsync(PoolView pool, CancellationToken cancellationToken)
    {
        var path = $"{Pools}/{pool.Id}";
        var data = JsonSerializer.SerializeToUtf8Bytes(new PoolComponent(pool.Id.Provider, pool.Id.Pool, pool.Priority, [.. pool.Labels.Order(StringComparer.Ordinal)], pool.Paused));
        try
        {
            await _zk.CreateAsync(path, data, CreateOptions.Ephemeral, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NodeExists)
        {
            await _zk.SetDataAsync(path, data, ZooKeeperVersion.Any, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async Task<ImmutableArray<PoolView>> PoolsAsync(CancellationToken cancellationToken)
    {
        var result = ImmutableArray.CreateBuilder<PoolView>();
        foreach (var (_, data) in await ReadChildrenAsync(Pools, cancellationToken))
        {
            var c = JsonSerializer.Deserialize<PoolComponent>(data)!;
            result.Add(new PoolView(new PoolId(c.provider_name, c.pool_name), c.priority, [.. c.supported_labels]) { Paused = c.paused });
        }

        return [.. result.OrderBy(p => p.Id.ToString(), StringComparer.Ordinal)];
    }

    // Compare-and-set loop: the write carries the version of the read; BadVersion means someone wrote in between,
    // so read again and re-apply the change to what they wrote.
    private async Task<T?> UpdateAsync<T>(string path, Func<byte[], T> read, Func<T, T?> change, Func<T, byte[]> write, CancellationToken cancellationToken)
        where T : class
    {
        while (true)
        {
            if (await _zk.TryGetDataAsync(path, null, cancellationToken) is not { Data.Length: > 0 } current
                || change(read(current.Data)) is not { } changed)
            {
                return null;
            }

            try
            {
                await _zk.SetDataAsync(path, write(changed), current.Stat.Version, cancellationToken);
                return changed;
            }
            catch (ZooKeeperException e) when (e.Code == ErrorCode.BadVersion)
            {
                Conflicts++;
            }
            catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
            {
                return null;
            }
        }
    }

    /// <summary>How many compare-and-set writes found the record changed under them and were re-applied (for tests and stats).</summary>
    public int Conflicts { get; private set; }

    // Children with non-empty data; children deleted between the listing and the read are skipped.
    private async Task<List<(string Name, byte[] Data)>> ReadChildrenAsync(string parent, CancellationToken cancellationToken)
    {
        var names = await _zk.TryGetChildrenAsync(parent, cancellationToken);
        var reads = await Task.WhenAll(names.Select(async name => (name, data: await _zk.TryGetDataAsync($"{parent}/{name}", null, cancellationToken))));
        return [.. reads.Where(r => r.data is { Data.Length: > 0 }).Select(r => (r.name, r.data!.Data))];
    }

    // Nodepool's pool component fields (reference/zuul.md 1.4).
#pragma warning disable IDE1006, SA1300 // JSON field names are Nodepool's
    private sealed record PoolComponent(string provider_name, string pool_name, int priority, string[] supported_labels, bool paused);
#pragma warning restore IDE1006, SA1300
}

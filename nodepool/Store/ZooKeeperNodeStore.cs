using System.Collections.Immutable;
using System.Text.Json;
using Gating.Model;
using Gating.Nodepool.Decisions;
using Gating.Nodepool.Launcher;
using Gating.ZooKeeper;

namespace Gating.Nodepool.Store;

/// <summary>
/// <see cref="INodeStore"/> on ZooKeeper, one per launcher session, with reference/zuul.md 1.4's layout under
/// <c>root</c> (normally /nodepool): requests/&lt;prio&gt;-&lt;seq&gt;, requests-lock/&lt;id&gt;, nodes/&lt;id&gt;
/// (+ /lock), components/pool/&lt;pool&gt;. Locks and pool registrations are ephemeral znodes of the session, so
/// they vanish when a launcher dies. A lock here is one ephemeral znode taken without waiting (the launcher only
/// ever tries locks); the coordination lock recipe can replace it without changing callers.
/// </summary>
public sealed class ZooKeeperNodeStore : INodeStore
{
    private readonly IZooKeeper _zk;
    private readonly string _root;

    private ZooKeeperNodeStore(IZooKeeper zk, string root)
    {
        _zk = zk;
        _root = root.TrimEnd('/');
    }

    /// <summary>Opens the store on a session, creating the layout's parent znodes when missing.</summary>
    public static async Task<ZooKeeperNodeStore> OpenAsync(IZooKeeper zk, string root, CancellationToken cancellationToken)
    {
        var store = new ZooKeeperNodeStore(zk, root);
        var path = "";
        foreach (var part in store._root.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path += "/" + part;
            await EnsureAsync(zk, path, cancellationToken);
        }

        foreach (var child in new[] { "requests", "requests-lock", "nodes", "components", "components/pool" })
        {
            await EnsureAsync(zk, $"{store._root}/{child}", cancellationToken);
        }

        return store;
    }

    private string Requests => _root + "/requests";

    private string RequestLocks => _root + "/requests-lock";

    private string Nodes => _root + "/nodes";

    private string Pools => _root + "/components/pool";

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
    public async Task<string> NewNodeIdAsync(CancellationToken cancellationToken)
    {
        // Nodepool names nodes by a sequential znode; it stays empty until the first save.
        var created = await _zk.CreateAsync(Nodes + "/", ReadOnlyMemory<byte>.Empty, CreateOptions.PersistentSequential, cancellationToken);
        return created.Path[(created.Path.LastIndexOf('/') + 1)..];
    }

    /// <inheritdoc/>
    public async Task SaveNodeAsync(Node node, CancellationToken cancellationToken)
    {
        var path = $"{Nodes}/{node.Id}";
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
    public async Task DeleteNodeAsync(string id, CancellationToken cancellationToken)
    {
        await DeleteQuietlyAsync($"{Nodes}/{id}/lock", cancellationToken);
        await DeleteQuietlyAsync($"{Nodes}/{id}", cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<NodeRequest> SubmitRequestAsync(NodeRequest request, CancellationToken cancellationToken)
    {
        var prefix = $"{Requests}/{request.Priority:D3}-";
        var created = await _zk.CreateAsync(prefix, NodepoolJson.Write(request), CreateOptions.PersistentSequential, cancellationToken);
        return request with { Id = created.Path[(created.Path.LastIndexOf('/') + 1)..] };
    }

    /// <inheritdoc/>
    public async Task<bool> SaveRequestAsync(NodeRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await _zk.SetDataAsync($"{Requests}/{request.Id}", NodepoolJson.Write(request), ZooKeeperVersion.Any, cancellationToken);
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
        await DeleteQuietlyAsync($"{Requests}/{id}", cancellationToken);
        await DeleteQuietlyAsync($"{RequestLocks}/{id}", cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IAsyncDisposable?> TryLockRequestAsync(string id, CancellationToken cancellationToken) =>
        TryLockAsync($"{RequestLocks}/{id}", cancellationToken);

    /// <inheritdoc/>
    public Task<IAsyncDisposable?> TryLockNodeAsync(string id, CancellationToken cancellationToken) =>
        TryLockAsync($"{Nodes}/{id}/lock", cancellationToken);

    /// <inheritdoc/>
    public async Task<(ImmutableHashSet<string> Requests, ImmutableHashSet<string> Nodes)> LockedAsync(CancellationToken cancellationToken)
    {
        var requests = (await _zk.GetChildrenAsync(RequestLocks, null, cancellationToken)).Children.ToImmutableHashSet(StringComparer.Ordinal);
        var nodes = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        foreach (var id in (await _zk.GetChildrenAsync(Nodes, null, cancellationToken)).Children)
        {
            if (await _zk.ExistsAsync($"{Nodes}/{id}/lock", null, cancellationToken) is not null)
            {
                nodes.Add(id);
            }
        }

        return (requests, nodes.ToImmutable());
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

    private async Task<IAsyncDisposable?> TryLockAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await _zk.CreateAsync(path, ReadOnlyMemory<byte>.Empty, CreateOptions.Ephemeral, cancellationToken);
            return new Unlock(this, path);
        }
        catch (ZooKeeperException e) when (e.Code is ErrorCode.NodeExists or ErrorCode.NoNode)
        {
            return null; // held by someone, or the thing to lock is gone
        }
    }

    // Children with non-empty data; children deleted between the listing and the read are skipped.
    private async Task<List<(string Name, byte[] Data)>> ReadChildrenAsync(string parent, CancellationToken cancellationToken)
    {
        var result = new List<(string, byte[])>();
        foreach (var name in (await _zk.GetChildrenAsync(parent, null, cancellationToken)).Children)
        {
            try
            {
                var data = await _zk.GetDataAsync($"{parent}/{name}", null, cancellationToken);
                if (data.Data.Length > 0)
                {
                    result.Add((name, data.Data));
                }
            }
            catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
            {
            }
        }

        return result;
    }

    private async Task DeleteQuietlyAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await _zk.DeleteAsync(path, ZooKeeperVersion.Any, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
        {
        }
    }

    private static async Task EnsureAsync(IZooKeeper zk, string path, CancellationToken cancellationToken)
    {
        try
        {
            await zk.CreateAsync(path, ReadOnlyMemory<byte>.Empty, CreateOptions.Persistent, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NodeExists)
        {
        }
    }

    // Nodepool's pool component fields (reference/zuul.md 1.4).
#pragma warning disable IDE1006, SA1300 // JSON field names are Nodepool's
    private sealed record PoolComponent(string provider_name, string pool_name, int priority, string[] supported_labels, bool paused);
#pragma warning restore IDE1006, SA1300

    private sealed class Unlock(ZooKeeperNodeStore store, string path) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await store.DeleteQuietlyAsync(path, CancellationToken.None);
            }
            catch (ZooKeeperException)
            {
                // The session is gone: ZooKeeper removed the ephemeral lock already.
            }
        }
    }
}

using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>Whole-path and whole-subtree operations every recipe needs on top of single-node calls.</summary>
public static class TreeOperations
{
    /// <summary>Creates every missing node of <paramref name="path"/> (persistent, empty); existing nodes are fine.</summary>
    public static async Task EnsurePathAsync(this IZooKeeper zk, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zk);
        if (path == "/" || await zk.ExistsAsync(path, null, cancellationToken) is not null)
        {
            return;
        }
        var index = 0;
        while (index >= 0)
        {
            index = path.IndexOf('/', index + 1);
            var prefix = index < 0 ? path : path[..index];
            try
            {
                await zk.CreateAsync(prefix, default, CreateOptions.Persistent, cancellationToken);
            }
            catch (ZooKeeperException e) when (e.Code == ErrorCode.NodeExists)
            {
                // Another client made it, or it was there.
            }
        }
    }

    /// <summary>Creates a node, creating its missing parents first.</summary>
    public static async Task<CreateResult> CreateWithParentsAsync(this IZooKeeper zk, string path, ReadOnlyMemory<byte> data,
        CreateOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zk);
        try
        {
            return await zk.CreateAsync(path, data, options, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
        {
            await zk.EnsurePathAsync(ZkPaths.Parent(path), cancellationToken);
            return await zk.CreateAsync(path, data, options, cancellationToken);
        }
    }

    /// <summary>Reads a node's data, or null when it does not exist.</summary>
    public static async Task<DataResult?> TryGetDataAsync(this IZooKeeper zk, string path, Watcher? watcher, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zk);
        try
        {
            return await zk.GetDataAsync(path, watcher, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
        {
            return null;
        }
    }

    /// <summary>Lists a node's children, or an empty list when it does not exist.</summary>
    public static async Task<IReadOnlyList<string>> TryGetChildrenAsync(this IZooKeeper zk, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zk);
        try
        {
            return (await zk.GetChildrenAsync(path, null, cancellationToken)).Children;
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
        {
            return [];
        }
    }

    /// <summary>Deletes a node if it exists; true when this call deleted it.</summary>
    public static async Task<bool> TryDeleteAsync(this IZooKeeper zk, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zk);
        try
        {
            await zk.DeleteAsync(path, ZooKeeperVersion.Any, cancellationToken);
            return true;
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
        {
            return false;
        }
    }

    /// <summary>
    /// Deletes a node and everything below it, children first. Nodes created concurrently below it are deleted too
    /// (NotEmpty makes it list again); nodes already gone are fine.
    /// </summary>
    public static async Task DeleteTreeAsync(this IZooKeeper zk, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zk);
        while (true)
        {
            foreach (var child in await zk.TryGetChildrenAsync(path, cancellationToken))
            {
                await zk.DeleteTreeAsync(ZkPaths.Join(path, child), cancellationToken);
            }
            try
            {
                await zk.DeleteAsync(path, ZooKeeperVersion.Any, cancellationToken);
                return;
            }
            catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
            {
                return;
            }
            catch (ZooKeeperException e) when (e.Code == ErrorCode.NotEmpty)
            {
                // A child appeared meanwhile: delete it too.
            }
        }
    }
}

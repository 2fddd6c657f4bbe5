namespace Gating.ZooKeeper.Embedded;

/// <summary>Reads against the committed state, with watch registration atomic with the read.</summary>
public sealed partial class EmbeddedZooKeeperSession
{
    /// <inheritdoc />
    public Task<Stat?> ExistsAsync(string path, Watcher? watcher, CancellationToken cancellationToken) => Read(path, (state, serverPath) =>
    {
        var node = state.Nodes.GetValueOrDefault(serverPath);
        if (watcher is not null)
        {
            if (node is null)
            {
                _watches.AddExist(serverPath, watcher);
            }
            else
            {
                _watches.AddData(serverPath, watcher);
            }
        }
        return node?.ToStat();
    }, watcher is not null);

    /// <inheritdoc />
    public Task<DataResult> GetDataAsync(string path, Watcher? watcher, CancellationToken cancellationToken) => Read(path, (state, serverPath) =>
    {
        var node = Readable(state, serverPath, path, Perms.Read);
        if (watcher is not null)
        {
            _watches.AddData(serverPath, watcher);
        }
        return new DataResult(node.Data.ToArray(), node.ToStat());
    }, watcher is not null);

    /// <inheritdoc />
    public Task<ChildrenResult> GetChildrenAsync(string path, Watcher? watcher, CancellationToken cancellationToken) => Read(path, (state, serverPath) =>
    {
        var node = Readable(state, serverPath, path, Perms.Read);
        if (watcher is not null)
        {
            _watches.AddChild(serverPath, watcher);
        }
        return new ChildrenResult([.. node.Children], node.ToStat());
    }, watcher is not null);

    /// <inheritdoc />
    public Task<int> GetAllChildrenNumberAsync(string path, CancellationToken cancellationToken) => Read(path, (state, serverPath) =>
    {
        var node = Readable(state, serverPath, path, Perms.Read);
        return CountDescendants(state, serverPath, node);
    }, watch: false);

    /// <inheritdoc />
    public Task<AclResult> GetAclAsync(string path, CancellationToken cancellationToken) => Read(path, (state, serverPath) =>
    {
        var node = Readable(state, serverPath, path, Perms.Read | Perms.Admin);
        return new AclResult([.. node.Acl], node.ToStat());
    }, watch: false);

    /// <inheritdoc />
    public Task AddWatchAsync(string path, AddWatchMode mode, Watcher watcher, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return Read(path, (_, serverPath) =>
        {
            _watches.AddPersistent(serverPath, mode, watcher);
            return true;
        }, watch: true);
    }

    /// <inheritdoc />
    public Task RemoveWatchesAsync(string path, WatcherType type, Watcher? watcher, CancellationToken cancellationToken) => Read(path, (_, serverPath) =>
    {
        var removed = _watches.Remove(serverPath, type, watcher);
        if (removed.Count == 0)
        {
            throw ZooKeeperException.From(ErrorCode.NoWatcher, path);
        }
        foreach (var (removedWatcher, type) in removed)
        {
            var watchedEvent = new WatchedEvent(type, path);
            Post(() => removedWatcher(watchedEvent));
        }
        return true;
    }, watch: true);

    private ZNode Readable(DataState state, string serverPath, string clientPath, Perms perms)
    {
        var node = state.Nodes.GetValueOrDefault(serverPath) ?? throw ZooKeeperException.From(ErrorCode.NoNode, clientPath);
        if (!AclRules.Allows(node.Acl, perms, _authIds))
        {
            throw ZooKeeperException.From(ErrorCode.NoAuth, clientPath);
        }
        return node;
    }

    private static int CountDescendants(DataState state, string path, ZNode node)
    {
        var count = 0;
        var pending = new Stack<(string Path, ZNode Node)>();
        pending.Push((path, node));
        while (pending.TryPop(out var current))
        {
            foreach (var child in current.Node.Children)
            {
                var childPath = PathRules.Child(current.Path, child);
                if (state.Nodes.TryGetValue(childPath, out var childNode))
                {
                    count++;
                    pending.Push((childPath, childNode));
                }
            }
        }
        return count;
    }

    /// <summary>Runs a read; with <paramref name="watch"/> it holds the store's watch lock so no event slips between
    /// the read and the registration.</summary>
    private Task<T> Read<T>(string path, Func<DataState, string, T> read, bool watch)
    {
        var pending = Volatile.Read(ref _lastWrite);
        return pending.IsCompleted ? ReadNow(path, read, watch) : ReadAfterAsync(pending, path, read, watch);
    }

    private async Task<T> ReadAfterAsync<T>(Task pending, string path, Func<DataState, string, T> read, bool watch)
    {
        await pending.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await ReadNow(path, read, watch);
    }

    private Task<T> ReadNow<T>(string path, Func<DataState, string, T> read, bool watch)
    {
        try
        {
            var serverPath = ServerPath(path);
            EnsureUsable();
            var result = watch ? _server.ReadAndWatch(state => read(state, serverPath)) : read(_server.State, serverPath);
            return Task.FromResult(result);
        }
        catch (ZooKeeperException e)
        {
            return Task.FromException<T>(e);
        }
    }
}

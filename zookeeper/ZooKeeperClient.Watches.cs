using Gating.ZooKeeper.Protocol;

namespace Gating.ZooKeeper;

public sealed partial class ZooKeeperClient
{
    /// <inheritdoc/>
    /// <remarks>
    /// As ZooKeeper's client does, the watcher must be known locally (else <see cref="ErrorCode.NoWatcher"/>).
    /// The server's watch is removed (opcode 18) only when no other local watcher still needs it; every removed
    /// watcher gets a DataWatchRemoved, ChildWatchRemoved or PersistentWatchRemoved event.
    /// </remarks>
    public async Task RemoveWatchesAsync(string path, WatcherType type, Watcher? watcher, CancellationToken cancellationToken)
    {
        var serverPath = ToServer(path);
        var watches = _session.Watches;
        if (!watches.Contains(serverPath, type, watcher))
        {
            throw ZooKeeperException.From(ErrorCode.NoWatcher, path);
        }
        if (watcher is not null)
        {
            _session.NotifyRemoved(watches.Remove(serverPath, type, watcher), path);
            if (watches.Contains(serverPath, type, null))
            {
                return;
            }
        }
        try
        {
            await RemoveOnServerAsync(path, serverPath, type, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NoWatcher && watcher is not null)
        {
            // The server's watch already fired or went with a reconnect; the local removal is what counted.
        }
        if (watcher is null)
        {
            _session.NotifyRemoved(watches.Remove(serverPath, type, null), path);
        }
    }

    private async Task RemoveOnServerAsync(string path, string serverPath, WatcherType type, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(OpCode.RemoveWatches, path, w => Requests.WritePathInt(w, serverPath, (int)type), NoValue, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.MarshallingError && type is WatcherType.Persistent or WatcherType.PersistentRecursive)
        {
            // Servers before 3.9 know only Children, Data and Any. Any also takes the persistent watches, so it is
            // used when this session has no other watch on the path; otherwise the server's watch stays and its
            // events find no local watcher to call.
            if (!OtherKindsRemain(serverPath, type))
            {
                await SendAsync(OpCode.RemoveWatches, path, w => Requests.WritePathInt(w, serverPath, (int)WatcherType.Any), NoValue, cancellationToken);
            }
        }
    }

    private bool OtherKindsRemain(string serverPath, WatcherType type) =>
        new[] { WatcherType.Data, WatcherType.Children, WatcherType.Persistent, WatcherType.PersistentRecursive }
            .Any(other => other != type && _session.Watches.Contains(serverPath, other, null));
}

using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>
/// A read/write lock on one path (Zuul's tenant layout lock): readers share it, a writer excludes everyone, and
/// contenders are served in arrival order, so a waiting writer is not starved by readers that come after it.
/// </summary>
public sealed class ReadWriteLock
{
    public ReadWriteLock(IZooKeeper zk, string path, TimeProvider? time = null, ReadOnlyMemory<byte> identifier = default)
    {
        Read = new ZkLock(zk, path, LockKind.Read, time, identifier);
        Write = new ZkLock(zk, path, LockKind.Write, time, identifier);
    }

    /// <summary>The shared side.</summary>
    public ZkLock Read { get; }

    /// <summary>The exclusive side.</summary>
    public ZkLock Write { get; }
}

namespace Gating.Coordination;

/// <summary>A write guarded by a lock was refused because the lock is no longer held (its session ended or its node
/// was deleted). Nothing was written; the holder must stop acting on what the lock protected.</summary>
public sealed class LockLostException : Exception
{
    public LockLostException(string lockNodePath, Exception? inner = null)
        : base($"the lock {lockNodePath} is no longer held: stop and write nothing more", inner)
    {
        LockNodePath = lockNodePath;
    }

    public string LockNodePath { get; }
}

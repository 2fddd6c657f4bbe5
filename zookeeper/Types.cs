namespace Gating.ZooKeeper;

/// <summary>The znode kinds, with the wire flag values of ZooKeeper's CreateMode.</summary>
public enum CreateMode
{
    Persistent = 0,
    Ephemeral = 1,
    PersistentSequential = 2,
    EphemeralSequential = 3,
    Container = 4,
    PersistentWithTtl = 5,
    PersistentSequentialWithTtl = 6,
}

/// <summary>How to create a node: mode, ACL (open by default) and TTL in milliseconds for the TTL modes.</summary>
public sealed record CreateOptions(CreateMode Mode, IReadOnlyList<Acl>? Acl = null, long TtlMilliseconds = 0)
{
    public static readonly CreateOptions Persistent = new(CreateMode.Persistent);
    public static readonly CreateOptions Ephemeral = new(CreateMode.Ephemeral);
    public static readonly CreateOptions PersistentSequential = new(CreateMode.PersistentSequential);
    public static readonly CreateOptions EphemeralSequential = new(CreateMode.EphemeralSequential);
    public static readonly CreateOptions Container = new(CreateMode.Container);
}

/// <summary>The metadata of a znode, field for field as ZooKeeper's Stat.</summary>
public readonly record struct Stat(
    long Czxid,
    long Mzxid,
    long Ctime,
    long Mtime,
    int Version,
    int Cversion,
    int Aversion,
    long EphemeralOwner,
    int DataLength,
    int NumChildren,
    long Pzxid);

public sealed record CreateResult(string Path, Stat Stat);

public sealed record DataResult(byte[] Data, Stat Stat);

public sealed record ChildrenResult(IReadOnlyList<string> Children, Stat Stat);

public sealed record AclResult(IReadOnlyList<Acl> Acl, Stat Stat);

/// <summary>ACL permission bits, as on the wire.</summary>
[Flags]
public enum Perms
{
    None = 0,
    Read = 1,
    Write = 2,
    Create = 4,
    Delete = 8,
    Admin = 16,
    All = Read | Write | Create | Delete | Admin,
}

/// <summary>An ACL identity: scheme ("world", "auth", "digest", "ip") and id.</summary>
public sealed record AclId(string Scheme, string Id)
{
    public static readonly AclId Anyone = new("world", "anyone");
    public static readonly AclId Creator = new("auth", "");
}

public sealed record Acl(Perms Perms, AclId Id)
{
    /// <summary>world:anyone with every permission.</summary>
    public static readonly IReadOnlyList<Acl> OpenUnsafe = [new(Perms.All, AclId.Anyone)];

    /// <summary>Every permission for the creating session's authenticated ids.</summary>
    public static readonly IReadOnlyList<Acl> CreatorAll = [new(Perms.All, AclId.Creator)];

    /// <summary>world:anyone may read.</summary>
    public static readonly IReadOnlyList<Acl> ReadUnsafe = [new(Perms.Read, AclId.Anyone)];
}

/// <summary>The connection state seen by the user of a session.</summary>
public enum ConnectionState
{
    /// <summary>Connected to a server; the session is alive.</summary>
    Connected,

    /// <summary>Disconnected; the session may still be alive and the client is reconnecting.</summary>
    Suspended,

    /// <summary>The session expired: its ephemerals and watches are gone. The client object is unusable.</summary>
    Lost,

    /// <summary>Closed by its owner.</summary>
    Closed,
}

/// <summary>Watch event types with their wire values.</summary>
public enum WatchedEventType
{
    None = -1,
    NodeCreated = 1,
    NodeDeleted = 2,
    NodeDataChanged = 3,
    NodeChildrenChanged = 4,
    DataWatchRemoved = 5,
    ChildWatchRemoved = 6,
    PersistentWatchRemoved = 7,
}

/// <summary>A watch notification. Path is relative to the chroot.</summary>
public sealed record WatchedEvent(WatchedEventType Type, string Path);

/// <summary>addWatch modes, with their wire values.</summary>
public enum AddWatchMode
{
    Persistent = 0,
    PersistentRecursive = 1,
}

/// <summary>Watcher types for removeWatches, with their wire values.</summary>
public enum WatcherType
{
    Children = 1,
    Data = 2,
    Any = 3,
    Persistent = 4,
    PersistentRecursive = 5,
}

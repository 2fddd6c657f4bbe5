namespace Gating.ZooKeeper.Protocol;

/// <summary>Request types, with the wire values of ZooKeeper's ZooDefs.OpCode.</summary>
internal enum OpCode
{
    Notification = 0,
    Create = 1,
    Delete = 2,
    Exists = 3,
    GetData = 4,
    SetData = 5,
    GetAcl = 6,
    SetAcl = 7,
    GetChildren = 8,
    Sync = 9,
    Ping = 11,
    GetChildren2 = 12,
    Check = 13,
    Multi = 14,
    Create2 = 15,
    Reconfig = 16,
    CheckWatches = 17,
    RemoveWatches = 18,
    CreateContainer = 19,
    DeleteContainer = 20,
    CreateTtl = 21,
    MultiRead = 22,
    Auth = 100,
    SetWatches = 101,
    Sasl = 102,
    GetEphemerals = 103,
    GetAllChildrenNumber = 104,
    SetWatches2 = 105,
    AddWatch = 106,
    WhoAmI = 107,
    CreateSession = -10,
    CloseSession = -11,
    Error = -1,
}

/// <summary>The reserved xids: replies with these ids are not answers to numbered requests.</summary>
internal static class Xids
{
    /// <summary>A watch notification pushed by the server.</summary>
    public const int Notification = -1;

    /// <summary>A ping and its reply.</summary>
    public const int Ping = -2;

    /// <summary>An addAuth packet and its reply (answered out of band, before earlier requests finish).</summary>
    public const int Auth = -4;

    /// <summary>The setWatches(2) packet sent when a session re-attaches.</summary>
    public const int SetWatches = -8;
}

/// <summary>ZooKeeper's KeeperState values carried by WatcherEvent.</summary>
internal static class KeeperState
{
    public const int SyncConnected = 3;
}

namespace Gating.ZooKeeper.Protocol;

/// <summary>
/// Request bodies of zookeeper.jute, written after the <see cref="RequestHeader"/>. Paths here are server paths
/// (chroot already applied).
/// </summary>
internal static class Requests
{
    /// <summary>The opcode and body layout for a create in the given mode (create2, createContainer or createTTL).</summary>
    public static OpCode CreateOpCode(CreateMode mode) => mode switch
    {
        CreateMode.Container => OpCode.CreateContainer,
        CreateMode.PersistentWithTtl or CreateMode.PersistentSequentialWithTtl => OpCode.CreateTtl,
        _ => OpCode.Create2,
    };

    public static bool IsSequential(CreateMode mode) =>
        mode is CreateMode.PersistentSequential or CreateMode.EphemeralSequential or CreateMode.PersistentSequentialWithTtl;

    /// <summary>CreateRequest, or CreateTTLRequest (the same with a trailing ttl) for the TTL modes.</summary>
    public static void WriteCreate(JuteWriter writer, string path, ReadOnlySpan<byte> data, CreateOptions options)
    {
        writer.WriteString(path);
        writer.WriteBuffer(data);
        writer.WriteAcls(options.Acl ?? Acl.OpenUnsafe);
        writer.WriteInt((int)options.Mode);
        if (CreateOpCode(options.Mode) == OpCode.CreateTtl)
        {
            writer.WriteLong(options.TtlMilliseconds);
        }
    }

    /// <summary>DeleteRequest, and CheckVersionRequest which has the same layout.</summary>
    public static void WritePathVersion(JuteWriter writer, string path, int version)
    {
        writer.WriteString(path);
        writer.WriteInt(version);
    }

    /// <summary>ExistsRequest, GetDataRequest, GetChildren2Request.</summary>
    public static void WritePathWatch(JuteWriter writer, string path, bool watch)
    {
        writer.WriteString(path);
        writer.WriteBool(watch);
    }

    public static void WriteSetData(JuteWriter writer, string path, ReadOnlySpan<byte> data, int version)
    {
        writer.WriteString(path);
        writer.WriteBuffer(data);
        writer.WriteInt(version);
    }

    public static void WriteSetAcl(JuteWriter writer, string path, IReadOnlyList<Acl> acl, int version)
    {
        writer.WriteString(path);
        writer.WriteAcls(acl);
        writer.WriteInt(version);
    }

    /// <summary>AuthPacket; the type field is unused by servers and always 0.</summary>
    public static void WriteAuth(JuteWriter writer, string scheme, ReadOnlySpan<byte> auth)
    {
        writer.WriteInt(0);
        writer.WriteString(scheme);
        writer.WriteBuffer(auth);
    }

    /// <summary>AddWatchRequest, RemoveWatchesRequest and CheckWatchesRequest: a path and an int mode or type.</summary>
    public static void WritePathInt(JuteWriter writer, string path, int value)
    {
        writer.WriteString(path);
        writer.WriteInt(value);
    }

    /// <summary>SetWatches2: the zxid the client last saw, then the five watch lists.</summary>
    public static void WriteSetWatches2(JuteWriter writer, long relativeZxid, WatchSnapshot watches)
    {
        writer.WriteLong(relativeZxid);
        writer.WriteStrings(watches.Data);
        writer.WriteStrings(watches.Exist);
        writer.WriteStrings(watches.Child);
        writer.WriteStrings(watches.Persistent);
        writer.WriteStrings(watches.PersistentRecursive);
    }
}

/// <summary>The server paths of the watches a session holds, by kind, for SetWatches2.</summary>
internal sealed record WatchSnapshot(
    IReadOnlyList<string> Data,
    IReadOnlyList<string> Exist,
    IReadOnlyList<string> Child,
    IReadOnlyList<string> Persistent,
    IReadOnlyList<string> PersistentRecursive)
{
    public bool IsEmpty => Data.Count + Exist.Count + Child.Count + Persistent.Count + PersistentRecursive.Count == 0;
}

using System.Collections.Immutable;

namespace Gating.ZooKeeper.Embedded;

/// <summary>
/// One znode as the store keeps it. <see cref="CreateCount"/> is ZooKeeper's internal cversion: it counts creates
/// of children only and names sequential children; the cversion users see is <c>2 * CreateCount - children</c>
/// (creates plus deletes), exactly as ZooKeeper's DataNode.copyStat computes it.
/// </summary>
internal sealed record ZNode(
    byte[] Data,
    ImmutableArray<Acl> Acl,
    long Czxid,
    long Mzxid,
    long Ctime,
    long Mtime,
    int Version,
    int CreateCount,
    int Aversion,
    long EphemeralOwner,
    long Pzxid,
    ImmutableSortedSet<string> Children)
{
    /// <summary>The stat a client sees: containers and TTL nodes show ephemeralOwner 0, as ZooKeeper's
    /// DataNode.getClientEphemeralOwner hides the markers.</summary>
    public Stat ToStat() => new(
        Czxid, Mzxid, Ctime, Mtime, Version, (2 * CreateCount) - Children.Count, Aversion,
        Embedded.EphemeralOwner.IsSession(EphemeralOwner) ? EphemeralOwner : 0, Data.Length, Children.Count, Pzxid);
}

/// <summary>A session as recorded in the journal: it outlives the process until it expires or is closed.</summary>
internal sealed record SessionRecord(long Id, int TimeoutMs, byte[] Password);

/// <summary>ZooKeeper's ephemeralOwner encodings for containers and TTL nodes (EphemeralType).</summary>
internal static class EphemeralOwner
{
    public const long Container = long.MinValue;
    private const long ExtendedMask = unchecked((long)0xFF00000000000000UL);
    private const long TtlMask = 0x000000FFFFFFFFFFL;

    /// <summary>The largest TTL ZooKeeper accepts (EphemeralType.MAX_EXTENDED_SERVER_ID rules: 40 bits).</summary>
    public const long MaxTtl = TtlMask;

    public static long ForTtl(long ttl) => ExtendedMask | ttl;

    public static bool IsTtl(long owner) => owner != Container && (owner & ExtendedMask) == ExtendedMask;

    public static long Ttl(long owner) => owner & TtlMask;

    /// <summary>True for a session-owned ephemeral (not a container, not TTL, not persistent).</summary>
    public static bool IsSession(long owner) => owner != 0 && owner != Container && !IsTtl(owner);
}

/// <summary>The whole committed state: published as one immutable value after each group commit.</summary>
internal sealed record DataState(
    ImmutableDictionary<string, ZNode> Nodes,
    ImmutableDictionary<long, SessionRecord> Sessions,
    long LastZxid)
{
    public static DataState Empty { get; } = new(
        ImmutableDictionary<string, ZNode>.Empty.WithComparers(StringComparer.Ordinal).Add("/", RootNode()),
        ImmutableDictionary<long, SessionRecord>.Empty,
        0);

    private static ZNode RootNode() => new(
        [], [.. ZooKeeper.Acl.OpenUnsafe], 0, 0, 0, 0, 0, 0, 0, 0, 0, ImmutableSortedSet.Create<string>(StringComparer.Ordinal));
}

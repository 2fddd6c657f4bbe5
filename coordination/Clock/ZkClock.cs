using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>
/// A point in ZooKeeper's total order of writes: a zxid (the epoch of the leader in the high 32 bits, a counter in the
/// low 32). Every write gets a greater zxid than every write before it, cluster-wide, so zxids order events without
/// trusting any wall clock: an event queued with czxid 10 happened before a layout whose mzxid is 12.
/// </summary>
public readonly record struct LogicalTime(long Zxid) : IComparable<LogicalTime>
{
    /// <summary>Before every write.</summary>
    public static readonly LogicalTime Zero = new(0);

    /// <summary>When a node was created.</summary>
    public static LogicalTime Created(Stat stat) => new(stat.Czxid);

    /// <summary>When a node was last written.</summary>
    public static LogicalTime Modified(Stat stat) => new(stat.Mzxid);

    /// <summary>The leader epoch that made this write.</summary>
    public int Epoch => (int)(Zxid >>> 32);

    /// <summary>The write's number within its epoch.</summary>
    public uint Counter => (uint)(Zxid & 0xFFFF_FFFF);

    public int CompareTo(LogicalTime other) => Zxid.CompareTo(other.Zxid);

    public static bool operator <(LogicalTime left, LogicalTime right) => left.Zxid < right.Zxid;

    public static bool operator >(LogicalTime left, LogicalTime right) => left.Zxid > right.Zxid;

    public static bool operator <=(LogicalTime left, LogicalTime right) => left.Zxid <= right.Zxid;

    public static bool operator >=(LogicalTime left, LogicalTime right) => left.Zxid >= right.Zxid;

    /// <summary>The later of two times.</summary>
    public static LogicalTime Max(LogicalTime a, LogicalTime b) => a >= b ? a : b;

    public override string ToString() => $"0x{Zxid:x}";
}

/// <summary>
/// Zuul's <c>getCurrentLtime</c>: touching <see cref="ZkPaths.Ltime"/> yields a fresh zxid, greater than that of every
/// write that completed before the call, on any session. <see cref="Latest"/> keeps the greatest time this clock has
/// seen (from <see cref="NowAsync"/> or <see cref="Observe"/>), so a component's notion of "now" never goes back.
/// </summary>
public sealed class ZkClock
{
    private readonly IZooKeeper _zk;
    private readonly string _path;
    private long _latest;

    public ZkClock(IZooKeeper zk, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(zk);
        _zk = zk;
        _path = path ?? ZkPaths.Ltime;
    }

    /// <summary>The greatest time seen so far.</summary>
    public LogicalTime Latest => new(Interlocked.Read(ref _latest));

    /// <summary>Writes the ltime node and returns the write's zxid: a logical "now" after everything already written.</summary>
    public async Task<LogicalTime> NowAsync(CancellationToken cancellationToken)
    {
        Stat stat;
        try
        {
            stat = await _zk.SetDataAsync(_path, default, ZooKeeperVersion.Any, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
        {
            try
            {
                stat = (await _zk.CreateWithParentsAsync(_path, default, CreateOptions.Persistent, cancellationToken)).Stat;
            }
            catch (ZooKeeperException exists) when (exists.Code == ErrorCode.NodeExists)
            {
                stat = await _zk.SetDataAsync(_path, default, ZooKeeperVersion.Any, cancellationToken);
            }
        }
        return Observe(LogicalTime.Modified(stat));
    }

    /// <summary>Takes a time seen elsewhere (a node's czxid or mzxid) into account; returns the new latest.</summary>
    public LogicalTime Observe(LogicalTime time)
    {
        var seen = Interlocked.Read(ref _latest);
        while (time.Zxid > seen)
        {
            var previous = Interlocked.CompareExchange(ref _latest, time.Zxid, seen);
            if (previous == seen)
            {
                return time;
            }
            seen = previous;
        }
        return new LogicalTime(seen);
    }
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gating.ZooKeeper.Embedded;

/// <summary>Settings of an <see cref="EmbeddedZooKeeper"/>; the defaults are ZooKeeper's own.</summary>
public sealed record EmbeddedZooKeeperOptions
{
    /// <summary>The clock for ctime/mtime, session expiry, container and TTL checks.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>ZooKeeper's tickTime: session timeouts are negotiated into [2, 20] ticks; expiry is checked each tick.</summary>
    public TimeSpan TickTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often empty containers and expired TTL nodes are deleted (znode.container.checkIntervalMs).</summary>
    public TimeSpan ContainerCheckInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Take a snapshot and start a new journal file after this many transactions (ZooKeeper's snapCount).</summary>
    public int SnapshotEveryTransactions { get; init; } = 100_000;

    /// <summary>The largest data a znode may hold (jute.maxbuffer).</summary>
    public int MaxDataBytes { get; init; } = 1024 * 1024;

    /// <summary>Where the store reports recovery, snapshots and failures.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    internal TimeSpan MinSessionTimeout => TickTime * 2;

    internal TimeSpan MaxSessionTimeout => TickTime * 20;
}

/// <summary>How to open a session on an <see cref="EmbeddedZooKeeper"/>.</summary>
/// <param name="SessionTimeout">The requested timeout; the server clamps it to [2, 20] ticks.</param>
/// <param name="Chroot">A path every client path is relative to, e.g. "/tenant-a"; null for none.</param>
/// <param name="SessionId">Non-zero to re-attach to an existing session (e.g. after a process restart).</param>
/// <param name="SessionPassword">The password of the session to re-attach to.</param>
public sealed record EmbeddedConnectOptions(
    TimeSpan SessionTimeout,
    string? Chroot = null,
    long SessionId = 0,
    ReadOnlyMemory<byte> SessionPassword = default);

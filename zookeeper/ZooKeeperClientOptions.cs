using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Gating.ZooKeeper;

/// <summary>How a <see cref="ZooKeeperClient"/> connects. The client never asks for read-only sessions.</summary>
public sealed record ZooKeeperClientOptions
{
    /// <summary>"host1:port1,host2:port2" with an optional chroot suffix, e.g. "10.0.0.1:2181,10.0.0.2:2181/gating".</summary>
    public required string ConnectString { get; init; }

    /// <summary>The session timeout to ask for; the server clamps it to [2, 20] ticks.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The default of <see cref="HandshakeTimeout"/>: a live server answers a handshake in milliseconds, even
    /// with a session to create (one journal write); two seconds leave room for a loaded machine.</summary>
    public static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long one connect attempt may take, from opening the TCP connection to receiving the ConnectResponse,
    /// before the client gives up on that server and tries the next: a half-started or frozen server that accepts
    /// connections but never answers then costs this much, not the whole session timeout. Never more than the session
    /// timeout divided by the number of hosts (ZooKeeper's own bound), so that every host gets a turn before the
    /// session expires. Default <see cref="DefaultHandshakeTimeout"/> (5 s).
    /// </summary>
    public TimeSpan HandshakeTimeout { get; init; } = DefaultHandshakeTimeout;

    /// <summary>Kept for compatibility: when set, bounds each connect attempt instead of <see cref="HandshakeTimeout"/>
    /// and the per-host share of the session timeout.</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary>
    /// An existing session to attach to instead of creating one (with <see cref="SessionPassword"/>), as Java's
    /// <c>new ZooKeeper(…, sessionId, sessionPasswd)</c> does; 0 (the default) creates a new session. Attaching moves
    /// the session to this client, and closing it then ends the session for every client that holds it: the way to
    /// make a server expire a session on purpose (tests, fencing off a stuck process).
    /// </summary>
    public long SessionId { get; init; }

    /// <summary>The password of <see cref="SessionId"/> (see <see cref="ZooKeeperClient.SessionPassword"/>).</summary>
    public ReadOnlyMemory<byte> SessionPassword { get; init; }

    /// <summary>The time one connect attempt may take: <see cref="ConnectTimeout"/> when set, else
    /// <see cref="HandshakeTimeout"/> bounded by the session timeout's share per host.</summary>
    internal TimeSpan AttemptTimeout(int hosts) => ConnectTimeout
        ?? (HandshakeTimeout < SessionTimeout / hosts ? HandshakeTimeout : SessionTimeout / hosts);

    /// <summary>The largest frame accepted from a server; a longer one breaks the connection without being allocated.</summary>
    public int MaxFrameLength { get; init; } = 16 * 1024 * 1024;

    /// <summary>The first pause between reconnect attempts; it grows exponentially (with jitter) up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The random source for host shuffling and backoff jitter: returns a value in [0, maxExclusive).</summary>
    public Func<int, int> RandomInt { get; init; } = RandomNumberGenerator.GetInt32;

    public ILoggerFactory? LoggerFactory { get; init; }
}

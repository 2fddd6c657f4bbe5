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

    /// <summary>How long one connect attempt (TCP and handshake) may take; by default the session timeout divided by the number of hosts.</summary>
    public TimeSpan? ConnectTimeout { get; init; }

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

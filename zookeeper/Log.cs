using Microsoft.Extensions.Logging;

namespace Gating.ZooKeeper;

/// <summary>The client's log messages, with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "ZooKeeper session 0x{SessionId:x} connected to {Endpoint} (timeout {TimeoutMs} ms)")]
    public static partial void Connected(ILogger logger, long sessionId, string endpoint, int timeoutMs);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "ZooKeeper connection to {Endpoint} broke")]
    public static partial void ConnectionBroken(ILogger logger, string endpoint, Exception reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "ZooKeeper connect attempt to {Endpoint} failed")]
    public static partial void ConnectFailed(ILogger logger, string endpoint, Exception reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "ZooKeeper session 0x{SessionId:x} expired")]
    public static partial void Expired(ILogger logger, long sessionId);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Error, Message = "A ZooKeeper watch or state handler threw")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "ZooKeeper rejected {What}: {Code}")]
    public static partial void PrimeRejected(ILogger logger, string what, ErrorCode code);
}

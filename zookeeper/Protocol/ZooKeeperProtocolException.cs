namespace Gating.ZooKeeper.Protocol;

/// <summary>
/// The peer sent bytes that are not valid ZooKeeper protocol (a frame over the size limit, a truncated record, a
/// reply to a request that was not sent). It always breaks the connection; requests in flight then fail with
/// <see cref="ErrorCode.ConnectionLoss"/> carrying this as the inner exception.
/// </summary>
public sealed class ZooKeeperProtocolException : Exception
{
    public ZooKeeperProtocolException(string message)
        : base(message)
    {
    }
}

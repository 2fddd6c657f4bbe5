using System.Threading.Channels;
using Gating.ZooKeeper.Protocol;
using Gating.ZooKeeper.Session;

namespace Gating.ZooKeeper.Transport;

/// <summary>What a connection needs from the session it carries.</summary>
internal interface IConnectionOwner
{
    /// <summary>Requests waiting to be written; shared by the session's successive connections.</summary>
    Channel<Call> Outgoing { get; }

    TimeProvider TimeProvider { get; }

    /// <summary>True once the client is being closed: requests failed from then on fail as ClientClosed, not as a
    /// retryable connection loss, because no reconnect will follow.</summary>
    bool IsClosing { get; }

    int NextXid();

    /// <summary>Called on the read loop for every zxid the server reports.</summary>
    void OnZxid(long zxid);

    /// <summary>Called on the read loop when a request is answered, before its caller sees the result.</summary>
    void OnReply(Call call, in ReplyHeader header);

    /// <summary>Called on the read loop for a watch notification.</summary>
    void OnNotification(in WatcherEventRecord notification);

    /// <summary>Called on the read loop for the reply to a packet sent when the session re-attached.</summary>
    void OnPrimeReply(in ReplyHeader header);
}

namespace Gating.ZooKeeper.Session;

/// <summary>
/// The states of a client session. Transitions (all made by the session's supervisor loop):
/// <code>
/// Connecting --handshake ok--> Connected --connection breaks--> Reconnecting --handshake ok--> Connected
///     |                                                            |  (same session id and password)
///     |                                 server says expired, or suspended longer than the session timeout
///     |                                                            v
///     +--------- DisposeAsync (any state) --> Closed           Expired (terminal)
/// </code>
/// </summary>
internal enum SessionState
{
    /// <summary>No session yet: the first handshake is in progress.</summary>
    Connecting,

    /// <summary>A connection is up and the session is attached to it.</summary>
    Connected,

    /// <summary>The connection broke; the session may still be alive and the client is re-attaching it.</summary>
    Reconnecting,

    /// <summary>The server expired the session (or it could not be re-attached in time). Terminal.</summary>
    Expired,

    /// <summary>Closed by its owner. Terminal.</summary>
    Closed,
}

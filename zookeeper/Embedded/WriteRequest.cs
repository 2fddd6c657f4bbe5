using System.Collections.Immutable;

namespace Gating.ZooKeeper.Embedded;

/// <summary>A request for the single writer loop; completed after its transaction is durable and visible.</summary>
internal abstract class WriteRequest
{
    private readonly TaskCompletionSource<object?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<object?> Task => _completion.Task;

    public void Complete(object? result) => _completion.TrySetResult(result);

    public void Fail(Exception error) => _completion.TrySetException(error);

    /// <summary>create, delete, setData (one op) or a multi, on behalf of a session.</summary>
    public sealed class Ops(SessionContext session, IReadOnlyList<Op> ops, bool isMulti) : WriteRequest
    {
        public SessionContext Session { get; } = session;

        public IReadOnlyList<Op> Operations { get; } = ops;

        public bool IsMulti { get; } = isMulti;
    }

    public sealed class SetAcl(SessionContext session, string path, IReadOnlyList<Acl> acl, int aclVersion) : WriteRequest
    {
        public SessionContext Session { get; } = session;

        public string Path { get; } = path;

        public IReadOnlyList<Acl> Acl { get; } = acl;

        public int AclVersion { get; } = aclVersion;
    }

    public sealed class CreateSession(int timeoutMs) : WriteRequest
    {
        public int TimeoutMs { get; } = timeoutMs;
    }

    /// <summary>Closes a session (its owner closed it) or expires it (forced, or its timeout passed unheard).</summary>
    public sealed class CloseSession(long sessionId, bool expired, bool onlyIfStillUnheard = false) : WriteRequest
    {
        public long SessionId { get; } = sessionId;

        public bool Expired { get; } = expired;

        /// <summary>Set by the expiry clock: skip if the client came back since the check.</summary>
        public bool OnlyIfStillUnheard { get; } = onlyIfStillUnheard;
    }

    /// <summary>sync: completes once every earlier write is committed.</summary>
    public sealed class Barrier : WriteRequest;

    /// <summary>Deletes empty used containers and expired TTL nodes (ZooKeeper's ContainerManager).</summary>
    public sealed class Sweep : WriteRequest;
}

/// <summary>What one request produced in a batch: its transaction (if it wrote), its result or error.</summary>
internal sealed record PreparedWrite(WriteRequest Request, ImmutableArray<Txn> Txns, object? Result, Exception? Error);

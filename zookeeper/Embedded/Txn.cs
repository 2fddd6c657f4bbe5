using System.Collections.Immutable;

namespace Gating.ZooKeeper.Embedded;

/// <summary>
/// One committed transaction: the resolved effects of a request (never the request itself), so that replaying the
/// journal is deterministic. Every op of a multi shares the transaction's zxid, as in ZooKeeper.
/// </summary>
internal sealed record Txn(long Zxid, long Time, ImmutableArray<TxnOp> Ops);

/// <summary>A resolved effect. Versions are derived on apply (version + 1), so they need not be recorded.</summary>
internal abstract record TxnOp
{
    public sealed record CreateNode(string Path, byte[] Data, ImmutableArray<Acl> Acl, long EphemeralOwner) : TxnOp;

    public sealed record DeleteNode(string Path) : TxnOp;

    public sealed record SetData(string Path, byte[] Data) : TxnOp;

    public sealed record SetAcl(string Path, ImmutableArray<Acl> Acl) : TxnOp;

    public sealed record CreateSession(long SessionId, int TimeoutMs, byte[] Password) : TxnOp;

    public sealed record CloseSession(long SessionId) : TxnOp;
}

using System.Collections.Immutable;

namespace Gating.ZooKeeper.Embedded;

/// <summary>
/// A mutable view of the nodes used while preparing and applying a batch: the base builder plus, for a multi, an
/// overlay of pending changes that is dropped if any op fails (ZooKeeper's outstanding change records).
/// </summary>
internal interface INodeStore
{
    ZNode? Get(string path);

    void Set(string path, ZNode node);

    void Remove(string path);
}

internal sealed class BuilderNodeStore(ImmutableDictionary<string, ZNode>.Builder nodes) : INodeStore
{
    public ImmutableDictionary<string, ZNode>.Builder Nodes => nodes;

    public ZNode? Get(string path) => nodes.GetValueOrDefault(path);

    public void Set(string path, ZNode node) => nodes[path] = node;

    public void Remove(string path) => nodes.Remove(path);
}

internal sealed class OverlayNodeStore(INodeStore inner) : INodeStore
{
    private readonly Dictionary<string, ZNode?> _changes = new(StringComparer.Ordinal);

    public ZNode? Get(string path) => _changes.TryGetValue(path, out var node) ? node : inner.Get(path);

    public void Set(string path, ZNode node) => _changes[path] = node;

    public void Remove(string path) => _changes[path] = null;
}

/// <summary>Applies resolved ops to a node store: the single place where the tree changes, live and on replay.</summary>
internal static class TxnApplier
{
    public static void Apply(INodeStore nodes, long zxid, long time, TxnOp op)
    {
        switch (op)
        {
            case TxnOp.CreateNode create:
                {
                    var parentPath = PathRules.Parent(create.Path);
                    var parent = nodes.Get(parentPath) ?? throw Corrupt(create.Path);
                    nodes.Set(parentPath, parent with
                    {
                        CreateCount = parent.CreateCount + 1,
                        Pzxid = zxid,
                        Children = parent.Children.Add(PathRules.Name(create.Path)),
                    });
                    nodes.Set(create.Path, new ZNode(
                        create.Data, create.Acl, zxid, zxid, time, time, 0, 0, 0, create.EphemeralOwner, zxid,
                        ImmutableSortedSet.Create<string>(StringComparer.Ordinal)));
                    break;
                }
            case TxnOp.DeleteNode delete:
                {
                    var parentPath = PathRules.Parent(delete.Path);
                    var parent = nodes.Get(parentPath) ?? throw Corrupt(delete.Path);
                    nodes.Set(parentPath, parent with
                    {
                        Pzxid = Math.Max(parent.Pzxid, zxid),
                        Children = parent.Children.Remove(PathRules.Name(delete.Path)),
                    });
                    nodes.Remove(delete.Path);
                    break;
                }
            case TxnOp.SetData set:
                {
                    var node = nodes.Get(set.Path) ?? throw Corrupt(set.Path);
                    nodes.Set(set.Path, node with { Data = set.Data, Version = node.Version + 1, Mzxid = zxid, Mtime = time });
                    break;
                }
            case TxnOp.SetAcl setAcl:
                {
                    var node = nodes.Get(setAcl.Path) ?? throw Corrupt(setAcl.Path);
                    nodes.Set(setAcl.Path, node with { Acl = setAcl.Acl, Aversion = node.Aversion + 1 });
                    break;
                }
            case TxnOp.CreateSession or TxnOp.CloseSession:
                break; // sessions live beside the tree; see ApplySession
            default:
                throw new InvalidOperationException($"unknown op {op}");
        }
    }

    public static void ApplySession(ImmutableDictionary<long, SessionRecord>.Builder sessions, TxnOp op)
    {
        switch (op)
        {
            case TxnOp.CreateSession create:
                sessions[create.SessionId] = new SessionRecord(create.SessionId, create.TimeoutMs, create.Password);
                break;
            case TxnOp.CloseSession close:
                sessions.Remove(close.SessionId);
                break;
        }
    }

    private static InvalidDataException Corrupt(string path) =>
        new($"the journal does not match the tree: no node {path} (corrupt data directory?)");
}

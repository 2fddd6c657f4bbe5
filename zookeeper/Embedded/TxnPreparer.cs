using System.Collections.Immutable;
using System.Globalization;

namespace Gating.ZooKeeper.Embedded;

/// <summary>Who asks: the session, its credentials and its chroot (errors and results name client paths).</summary>
internal sealed record SessionContext(long SessionId, ImmutableArray<AclId> AuthIds, string Chroot);

/// <summary>
/// Turns one request op into resolved effects, checking it against the current view in ZooKeeper's order
/// (PrepRequestProcessor): path, ACL validity, parent, permission, name, existence, version, children. Pure: it only
/// reads the view; the caller applies the returned op.
/// </summary>
internal static class TxnPreparer
{
    public static (TxnOp? Op, string ServerPath) Prepare(INodeStore view, Op op, SessionContext session)
    {
        return op switch
        {
            Op.Create create => PrepareCreate(view, create, session),
            Op.Delete delete => (PrepareDelete(view, delete, session), delete.Path),
            Op.SetData set => (PrepareSetData(view, set, session), set.Path),
            Op.Check check => (PrepareCheck(view, check, session), check.Path),
            _ => throw new ArgumentException($"unknown op {op}", nameof(op)),
        };
    }

    public static TxnOp.SetAcl PrepareSetAcl(INodeStore view, string path, IReadOnlyList<Acl> acl, int aclVersion, SessionContext session)
    {
        Validate(path, session);
        var fixedAcl = Fixup(path, acl, session);
        var node = Existing(view, path, session);
        Check(node.Acl, Perms.Admin, path, session);
        CheckVersion(node.Aversion, aclVersion, path, session);
        return new TxnOp.SetAcl(path, fixedAcl);
    }

    private static (TxnOp, string) PrepareCreate(INodeStore view, Op.Create create, SessionContext session)
    {
        var mode = create.Options.Mode;
        var sequential = mode is CreateMode.PersistentSequential or CreateMode.EphemeralSequential or CreateMode.PersistentSequentialWithTtl;
        var ttlMode = mode is CreateMode.PersistentWithTtl or CreateMode.PersistentSequentialWithTtl;
        var ttl = create.Options.TtlMilliseconds;
        if (ttlMode ? ttl <= 0 || ttl > EphemeralOwner.MaxTtl : ttl != 0)
        {
            throw Error(ErrorCode.BadArguments, create.Path, session);
        }
        if (!Enum.IsDefined(mode))
        {
            throw Error(ErrorCode.BadArguments, create.Path, session);
        }
        var path = create.Path;
        if (PathRules.Problem(path, sequential) is not null)
        {
            throw Error(ErrorCode.BadArguments, path, session);
        }
        var parentPath = PathRules.Parent(sequential && path.EndsWith('/') ? path + "x" : path);
        if (path == "/")
        {
            throw Error(ErrorCode.NodeExists, path, session);
        }
        var acl = Fixup(path, create.Options.Acl ?? Acl.OpenUnsafe, session);
        var parent = view.Get(parentPath) ?? throw Error(ErrorCode.NoNode, path, session);
        Check(parent.Acl, Perms.Create, path, session);
        if (sequential)
        {
            path += parent.CreateCount.ToString("D10", CultureInfo.InvariantCulture);
        }
        if (view.Get(path) is not null)
        {
            throw Error(ErrorCode.NodeExists, path, session);
        }
        if (EphemeralOwner.IsSession(parent.EphemeralOwner))
        {
            throw Error(ErrorCode.NoChildrenForEphemerals, path, session);
        }
        var owner = mode switch
        {
            CreateMode.Ephemeral or CreateMode.EphemeralSequential => session.SessionId,
            CreateMode.Container => EphemeralOwner.Container,
            CreateMode.PersistentWithTtl or CreateMode.PersistentSequentialWithTtl => EphemeralOwner.ForTtl(ttl),
            _ => 0L,
        };
        return (new TxnOp.CreateNode(path, create.Data.ToArray(), acl, owner), path);
    }

    private static TxnOp PrepareDelete(INodeStore view, Op.Delete delete, SessionContext session)
    {
        var path = delete.Path;
        Validate(path, session);
        if (path == "/")
        {
            throw Error(ErrorCode.BadArguments, path, session);
        }
        var parent = view.Get(PathRules.Parent(path)) ?? throw Error(ErrorCode.NoNode, path, session);
        Check(parent.Acl, Perms.Delete, path, session);
        var node = Existing(view, path, session);
        CheckVersion(node.Version, delete.Version, path, session);
        if (node.Children.Count > 0)
        {
            throw Error(ErrorCode.NotEmpty, path, session);
        }
        return new TxnOp.DeleteNode(path);
    }

    private static TxnOp PrepareSetData(INodeStore view, Op.SetData set, SessionContext session)
    {
        Validate(set.Path, session);
        var node = Existing(view, set.Path, session);
        Check(node.Acl, Perms.Write, set.Path, session);
        CheckVersion(node.Version, set.Version, set.Path, session);
        return new TxnOp.SetData(set.Path, set.Data.ToArray());
    }

    private static TxnOp? PrepareCheck(INodeStore view, Op.Check check, SessionContext session)
    {
        Validate(check.Path, session);
        var node = Existing(view, check.Path, session);
        Check(node.Acl, Perms.Read, check.Path, session);
        CheckVersion(node.Version, check.Version, check.Path, session);
        return null;
    }

    private static void Validate(string path, SessionContext session)
    {
        if (PathRules.Problem(path) is not null)
        {
            throw Error(ErrorCode.BadArguments, path, session);
        }
    }

    private static ZNode Existing(INodeStore view, string path, SessionContext session) =>
        view.Get(path) ?? throw Error(ErrorCode.NoNode, path, session);

    private static void Check(ImmutableArray<Acl> acl, Perms perms, string path, SessionContext session)
    {
        if (!AclRules.Allows(acl, perms, session.AuthIds))
        {
            throw Error(ErrorCode.NoAuth, path, session);
        }
    }

    private static void CheckVersion(int actual, int expected, string path, SessionContext session)
    {
        if (expected != ZooKeeperVersion.Any && expected != actual)
        {
            throw Error(ErrorCode.BadVersion, path, session);
        }
    }

    private static ImmutableArray<Acl> Fixup(string path, IReadOnlyList<Acl> acl, SessionContext session)
    {
        try
        {
            return AclRules.Fixup(path, acl, session.AuthIds);
        }
        catch (ZooKeeperException e)
        {
            throw Error(e.Code, path, session);
        }
    }

    public static ZooKeeperException Error(ErrorCode code, string serverPath, SessionContext session) =>
        ZooKeeperException.From(code, PathRules.ToClient(session.Chroot, serverPath));
}

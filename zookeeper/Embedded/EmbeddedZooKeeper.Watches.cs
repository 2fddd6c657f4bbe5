namespace Gating.ZooKeeper.Embedded;

/// <summary>Watch triggering, in ZooKeeper's order: per transaction, per op, the node's event then its parent's.</summary>
public sealed partial class EmbeddedZooKeeper
{
    /// <summary>Runs under the watch lock, right after the state that contains <paramref name="txn"/> is published.</summary>
    private void TriggerWatches(Txn txn)
    {
        if (_attached.IsEmpty)
        {
            return;
        }
        // A session that this transaction closes hears nothing of it (its client is gone or going).
        var closing = txn.Ops.OfType<TxnOp.CloseSession>().Select(c => c.SessionId).FirstOrDefault();
        foreach (var op in txn.Ops)
        {
            switch (op)
            {
                case TxnOp.CreateNode create:
                    Trigger(create.Path, WatchedEventType.NodeCreated, closing);
                    Trigger(PathRules.Parent(create.Path), WatchedEventType.NodeChildrenChanged, closing);
                    break;
                case TxnOp.DeleteNode delete:
                    Trigger(delete.Path, WatchedEventType.NodeDeleted, closing);
                    Trigger(PathRules.Parent(delete.Path), WatchedEventType.NodeChildrenChanged, closing);
                    break;
                case TxnOp.SetData set:
                    Trigger(set.Path, WatchedEventType.NodeDataChanged, closing);
                    break;
            }
        }
    }

    private void Trigger(string path, WatchedEventType type, long closing)
    {
        foreach (var (id, session) in _attached)
        {
            if (id != closing)
            {
                session.Deliver(path, type);
            }
        }
    }
}

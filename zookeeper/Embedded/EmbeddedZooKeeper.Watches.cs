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
        foreach (var op in txn.Ops)
        {
            switch (op)
            {
                case TxnOp.CreateNode create:
                    Trigger(create.Path, WatchedEventType.NodeCreated);
                    Trigger(PathRules.Parent(create.Path), WatchedEventType.NodeChildrenChanged);
                    break;
                case TxnOp.DeleteNode delete:
                    Trigger(delete.Path, WatchedEventType.NodeDeleted);
                    Trigger(PathRules.Parent(delete.Path), WatchedEventType.NodeChildrenChanged);
                    break;
                case TxnOp.SetData set:
                    Trigger(set.Path, WatchedEventType.NodeDataChanged);
                    break;
            }
        }
    }

    private void Trigger(string path, WatchedEventType type)
    {
        foreach (var session in _attached.Values)
        {
            session.Deliver(path, type);
        }
    }
}

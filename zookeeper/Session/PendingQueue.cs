using Gating.ZooKeeper.Protocol;

namespace Gating.ZooKeeper.Session;

/// <summary>
/// Requests written on one connection and not yet answered, oldest first. ZooKeeper answers a session's requests
/// in order, so a reply must match the head's xid; anything else is a protocol error. Auth packets are answered
/// out of band (before earlier requests finish), so their waiters queue apart. Once the connection breaks the
/// queue is closed: a late <see cref="Add"/> fails the call at once instead of leaving it waiting forever.
/// </summary>
internal sealed class PendingQueue
{
    private readonly Lock _lock = new();
    private readonly Queue<Call> _calls = new();
    private readonly Queue<Call?> _auths = new();
    private Exception? _closedBy;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _calls.Count;
            }
        }
    }

    /// <summary>For timeout messages: how many requests wait, and the oldest.</summary>
    public string Describe()
    {
        lock (_lock)
        {
            return _calls.TryPeek(out var head)
                ? $"{_calls.Count} requests pending, oldest xid {head.Xid} ({head.OpCode} {head.Path})"
                : "no requests pending";
        }
    }

    /// <summary>Adds a call about to be written; false (and the call failed) when the connection already broke.</summary>
    public bool Add(Call call)
    {
        lock (_lock)
        {
            if (_closedBy is null)
            {
                if (call.Xid == Xids.Auth)
                {
                    _auths.Enqueue(call);
                }
                else
                {
                    _calls.Enqueue(call);
                }
                return true;
            }
        }
        call.Fail(_closedBy);
        return false;
    }

    /// <summary>Remembers an auth packet replayed at re-attach, which nobody awaits.</summary>
    public void AddReplayedAuth()
    {
        lock (_lock)
        {
            _auths.Enqueue(null);
        }
    }

    /// <summary>Takes the call a reply answers.</summary>
    public Call? TakeFor(int xid)
    {
        lock (_lock)
        {
            if (xid == Xids.Auth)
            {
                return _auths.TryDequeue(out var auth)
                    ? auth
                    : throw new ZooKeeperProtocolException("auth reply (xid -4) with no auth packet outstanding");
            }
            if (!_calls.TryPeek(out var head))
            {
                throw new ZooKeeperProtocolException($"reply for xid {xid} but no request is outstanding");
            }
            if (head.Xid != xid)
            {
                throw new ZooKeeperProtocolException(
                    $"reply for xid {xid} but the oldest outstanding request is xid {head.Xid} ({head.OpCode}); replies must come in order");
            }
            return _calls.Dequeue();
        }
    }

    /// <summary>Closes the queue and fails everything in it with <paramref name="reason"/>.</summary>
    public void FailAll(Exception reason)
    {
        List<Call> failed;
        lock (_lock)
        {
            _closedBy ??= reason;
            failed = [.. _calls, .. _auths.OfType<Call>()];
            _calls.Clear();
            _auths.Clear();
        }
        foreach (var call in failed)
        {
            call.Fail(reason);
        }
    }
}

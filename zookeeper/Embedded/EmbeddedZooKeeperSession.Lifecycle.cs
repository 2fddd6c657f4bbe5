namespace Gating.ZooKeeper.Embedded;

/// <summary>Event delivery and the end of a session: closed by its owner, expired, or abandoned with the store.</summary>
public sealed partial class EmbeddedZooKeeperSession
{
    /// <summary>Called under the store's watch lock for each event of a committed transaction.</summary>
    internal void Deliver(string serverPath, WatchedEventType type)
    {
        if (_state is not (ConnectionState.Connected or ConnectionState.Suspended) || _watches.IsEmpty)
        {
            return;
        }
        var watchers = _watches.Materialize(serverPath, type);
        if (watchers.Count == 0)
        {
            return;
        }
        var watchedEvent = new WatchedEvent(type, ClientPath(serverPath));
        foreach (var watcher in watchers)
        {
            if (_state == ConnectionState.Suspended)
            {
                _missed.Add(() => watcher(watchedEvent)); // delivered after the reconnect, as ZooKeeper does
            }
            else
            {
                Post(() => watcher(watchedEvent));
            }
        }
    }

    /// <summary>A simulated partition starts; false if the session is not connected.</summary>
    internal bool Suspend() => Transition(ConnectionState.Connected, ConnectionState.Suspended);

    /// <summary>A simulated partition ends: Connected first, then the events missed meanwhile, in order.</summary>
    internal void Resume()
    {
        List<Action> missed = [];
        var resumed = false;
        _server.WithWatchLock(() =>
        {
            if (_state == ConnectionState.Suspended)
            {
                _state = ConnectionState.Connected;
                missed = [.. _missed];
                _missed.Clear();
                resumed = true;
            }
        });
        if (resumed)
        {
            Post(() => StateChanged?.Invoke(ConnectionState.Connected));
            foreach (var action in missed)
            {
                Post(action);
            }
        }
    }

    private bool Transition(ConnectionState from, ConnectionState to)
    {
        var changed = false;
        _server.WithWatchLock(() =>
        {
            if (_state == from)
            {
                _state = to;
                changed = true;
            }
        });
        if (changed)
        {
            Post(() => StateChanged?.Invoke(to));
        }
        return changed;
    }

    private void Post(Action action) => _loop.Post(() =>
    {
        t_onLoop = this;
        try
        {
            action();
        }
        finally
        {
            t_onLoop = null;
        }
    });

    /// <summary>The store expired this session: its watches are gone and its owner is told it is Lost.</summary>
    internal void OnExpired() => End(ConnectionState.Lost);

    /// <summary>The store is closing without closing the session (as if the process died): the session stays in the
    /// journal and can be re-attached by the next process.</summary>
    internal Task AbandonAsync()
    {
        End(ConnectionState.Suspended);
        return t_onLoop == this ? Task.CompletedTask : _loop.CompleteAsync();
    }

    private bool End(ConnectionState state)
    {
        var changed = false;
        _server.WithWatchLock(() =>
        {
            if (_state is ConnectionState.Connected or ConnectionState.Suspended)
            {
                _state = state;
                _watches.Clear();
                _missed.Clear();
                changed = true;
            }
        });
        if (changed)
        {
            Post(() => StateChanged?.Invoke(state));
        }
        return changed;
    }

    /// <summary>Closes the session: its ephemerals are deleted, then <see cref="ConnectionState.Closed"/> is raised and
    /// the event loop drains.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }
        if (_state is ConnectionState.Connected or ConnectionState.Suspended)
        {
            try
            {
                await _server.SubmitAsync(new WriteRequest.CloseSession(SessionId, expired: false), CancellationToken.None);
            }
            catch (ZooKeeperException)
            {
                // The store is closing or broken: the session stays recorded and expires after the next start.
            }
            _server.Detach(SessionId, this);
            End(ConnectionState.Closed);
        }
        if (t_onLoop != this)
        {
            await _loop.CompleteAsync();
        }
        else
        {
            _ = _loop.CompleteAsync();
        }
    }
}

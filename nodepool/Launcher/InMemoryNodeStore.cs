using System.Collections.Immutable;
using Gating.Model;
using Gating.Nodepool.Decisions;

namespace Gating.Nodepool.Launcher;

/// <summary>
/// Requests, nodes, locks and pool registrations in process, with ZooKeeper's session semantics: each launcher
/// works through its own <see cref="Session"/>; when a session ends (<see cref="Session.Expire"/>, as when a
/// launcher dies), its locks and pool registrations vanish at once, and what it left behind is for the others'
/// cleanup. For single-process use, tests and benchmarks; the ZooKeeper store is the multi-process one.
/// </summary>
public sealed class InMemoryNodeStore
{
    private readonly Lock _gate = new();
    private ImmutableDictionary<string, Node> _nodes = ImmutableDictionary<string, Node>.Empty;
    private ImmutableDictionary<string, NodeRequest> _requests = ImmutableDictionary<string, NodeRequest>.Empty;
    private readonly Dictionary<string, Session> _requestLocks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Session> _nodeLocks = new(StringComparer.Ordinal);
    private readonly Dictionary<PoolId, (Session Owner, PoolView View)> _pools = [];
    private ImmutableList<Action> _watchers = [];
    private long _nodeSequence;
    private long _requestSequence;

    /// <summary>A new session (one per launcher or requestor).</summary>
    public Session Connect(string name) => new(this, name);

    /// <summary>One session's view of the store.</summary>
    public sealed class Session : INodeStore
    {
        private readonly InMemoryNodeStore _store;
        private bool _expired;

        internal Session(InMemoryNodeStore store, string name)
        {
            _store = store;
            Name = name;
        }

        /// <summary>The session's name (launcher id).</summary>
        public string Name { get; }

        /// <summary>Ends the session as a crash would: its locks and pool registrations vanish.</summary>
        public void Expire()
        {
            lock (_store._gate)
            {
                _expired = true;
                foreach (var key in _store._requestLocks.Where(l => l.Value == this).Select(l => l.Key).ToList())
                {
                    _store._requestLocks.Remove(key);
                }

                foreach (var key in _store._nodeLocks.Where(l => l.Value == this).Select(l => l.Key).ToList())
                {
                    _store._nodeLocks.Remove(key);
                }

                foreach (var key in _store._pools.Where(p => p.Value.Owner == this).Select(p => p.Key).ToList())
                {
                    _store._pools.Remove(key);
                }
            }
        }

        /// <inheritdoc/>
        public Task<ImmutableArray<Node>> NodesAsync(CancellationToken cancellationToken) =>
            Read(() => _store._nodes.Values.OrderBy(n => n.Id, StringComparer.Ordinal).ToImmutableArray());

        /// <inheritdoc/>
        public Task<ImmutableArray<NodeRequest>> RequestsAsync(CancellationToken cancellationToken) =>
            Read(() => _store._requests.Values.OrderBy(r => r.Id, StringComparer.Ordinal).ToImmutableArray());

        /// <inheritdoc/>
        public Task<string> NewNodeIdAsync(CancellationToken cancellationToken) => Read(() => (++_store._nodeSequence).ToString("D10", System.Globalization.CultureInfo.InvariantCulture));

        /// <inheritdoc/>
        public Task<Node?> NodeAsync(string id, CancellationToken cancellationToken) => Read(() => _store._nodes.GetValueOrDefault(id));

        /// <inheritdoc/>
        public Task<NodeRequest?> RequestAsync(string id, CancellationToken cancellationToken) => Read(() => _store._requests.GetValueOrDefault(id));

        /// <inheritdoc/>
        public Task<Node?> UpdateNodeAsync(string id, Func<Node, Node?> change, CancellationToken cancellationToken) => WriteIfChanged(() =>
        {
            // Under the store's lock the read and the write are one step: there is no race to lose.
            if (_store._nodes.GetValueOrDefault(id) is not { } current || change(current) is not { } changed)
            {
                return null;
            }

            _store._nodes = _store._nodes.SetItem(id, changed with { Id = id });
            return _store._nodes[id];
        });

        /// <inheritdoc/>
        public Task<NodeRequest?> UpdateRequestAsync(string id, Func<NodeRequest, NodeRequest?> change, CancellationToken cancellationToken) => WriteIfChanged(() =>
        {
            if (_store._requests.GetValueOrDefault(id) is not { } current || change(current) is not { } changed)
            {
                return null;
            }

            _store._requests = _store._requests.SetItem(id, changed with { Id = id });
            return _store._requests[id];
        });

        /// <inheritdoc/>
        public Task<IAsyncDisposable> WatchAsync(Action changed, CancellationToken cancellationToken) => Read<IAsyncDisposable>(() =>
        {
            _store._watchers = _store._watchers.Add(changed);
            return new Unwatch(_store, changed);
        });

        /// <inheritdoc/>
        public Task RemoveStaleLocksAsync(CancellationToken cancellationToken) => Task.CompletedTask; // locks are not records here

        /// <inheritdoc/>
        public Task SaveNodeAsync(Node node, CancellationToken cancellationToken) => Write(() => _store._nodes = _store._nodes.SetItem(node.Id, node));

        /// <inheritdoc/>
        public Task DeleteNodeAsync(string id, CancellationToken cancellationToken) => Write(() => _store._nodes = _store._nodes.Remove(id));

        /// <inheritdoc/>
        public Task<NodeRequest> SubmitRequestAsync(NodeRequest request, CancellationToken cancellationToken) => Write(() =>
        {
            var submitted = request with { Id = NodeRequest.FormatId(request.Priority, _store._requestSequence++) };
            _store._requests = _store._requests.Add(submitted.Id, submitted);
            return submitted;
        });

        /// <inheritdoc/>
        public Task<bool> SaveRequestAsync(NodeRequest request, CancellationToken cancellationToken) => Write(() =>
        {
            if (!_store._requests.ContainsKey(request.Id))
            {
                return false;
            }

            _store._requests = _store._requests.SetItem(request.Id, request);
            return true;
        });

        /// <inheritdoc/>
        public Task DeleteRequestAsync(string id, CancellationToken cancellationToken) => Write(() => _store._requests = _store._requests.Remove(id));

        /// <inheritdoc/>
        public Task<IAsyncDisposable?> TryLockRequestAsync(string id, CancellationToken cancellationToken) => Read(() => TryLock(_store._requestLocks, id));

        /// <inheritdoc/>
        public Task<IAsyncDisposable?> TryLockNodeAsync(string id, CancellationToken cancellationToken) => Read(() => TryLock(_store._nodeLocks, id));

        /// <inheritdoc/>
        public Task<(ImmutableHashSet<string> Requests, ImmutableHashSet<string> Nodes)> LockedAsync(CancellationToken cancellationToken) =>
            Read(() => (_store._requestLocks.Keys.ToImmutableHashSet(), _store._nodeLocks.Keys.ToImmutableHashSet()));

        /// <inheritdoc/>
        public Task RegisterPoolAsync(PoolView pool, CancellationToken cancellationToken) => Read(() => _store._pools[pool.Id] = (this, pool));

        /// <inheritdoc/>
        public Task<ImmutableArray<PoolView>> PoolsAsync(CancellationToken cancellationToken) =>
            Read(() => _store._pools.Values.Select(p => p.View).OrderBy(p => p.Id.ToString(), StringComparer.Ordinal).ToImmutableArray());

        private IAsyncDisposable? TryLock(Dictionary<string, Session> locks, string id)
        {
            if (locks.TryGetValue(id, out var owner))
            {
                return owner == this ? throw new InvalidOperationException($"session {Name} already holds the lock of {id}") : null;
            }

            locks[id] = this;
            return new Unlock(this, locks, id);
        }

        private Task<T> Read<T>(Func<T> read)
        {
            lock (_store._gate)
            {
                return _expired
                    ? Task.FromException<T>(new InvalidOperationException($"session {Name} has expired"))
                    : Task.FromResult(read());
            }
        }

        // A write, then every watcher is told (outside the lock, so a watcher may read the store).
        private async Task<T> Write<T>(Func<T> write)
        {
            var result = await Read(write);
            foreach (var watcher in _store._watchers)
            {
                watcher();
            }

            return result;
        }

        // A write that may decide to write nothing (null): watchers hear only of real changes.
        private async Task<T?> WriteIfChanged<T>(Func<T?> write)
            where T : class
        {
            var result = await Read(write);
            if (result is not null)
            {
                foreach (var watcher in _store._watchers)
                {
                    watcher();
                }
            }

            return result;
        }

        private Task Write(Action write) => Write(() =>
        {
            write();
            return true;
        });

        private sealed class Unwatch(InMemoryNodeStore store, Action watcher) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                lock (store._gate)
                {
                    store._watchers = store._watchers.Remove(watcher);
                }

                return ValueTask.CompletedTask;
            }
        }

        private sealed class Unlock(Session session, Dictionary<string, Session> locks, string id) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                lock (session._store._gate)
                {
                    if (locks.TryGetValue(id, out var owner) && owner == session)
                    {
                        locks.Remove(id);
                    }
                }

                return ValueTask.CompletedTask;
            }
        }
    }
}

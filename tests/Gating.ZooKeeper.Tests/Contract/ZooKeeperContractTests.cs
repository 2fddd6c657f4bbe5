using System.Threading.Channels;

namespace Gating.ZooKeeper.Tests.Contract;

/// <summary>
/// The behaviour every <see cref="IZooKeeper"/> must show, checked against ZooKeeper 3.8 itself: subclass it with a
/// <see cref="ConnectAsync"/> that opens a new session rooted at a fresh chroot of the test class instance (xUnit
/// makes one instance per test, so each test has its own tree). Expectations that look surprising (cversion counts
/// deletes, sequence numbers count creates only, getACL needs READ or ADMIN...) are ZooKeeper's.
/// </summary>
public abstract partial class ZooKeeperContractTests : IAsyncLifetime
{
    private readonly List<IZooKeeper> _sessions = [];
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    /// <summary>Opens a new session whose paths are relative to this test instance's chroot (which exists, empty).</summary>
    protected abstract Task<IZooKeeper> ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Cancelled if a test hangs.</summary>
    protected CancellationToken Ct => _timeout.Token;

    /// <summary>How long to wait for an expected watch event.</summary>
    protected virtual TimeSpan EventTimeout => TimeSpan.FromSeconds(15);

    /// <summary>A session that is closed when the test ends.</summary>
    protected async Task<IZooKeeper> SessionAsync()
    {
        var session = await ConnectAsync(Ct);
        lock (_sessions)
        {
            _sessions.Add(session);
        }
        return session;
    }

    /// <summary>Another session on the same chroot, for ephemeral and watch tests.</summary>
    protected Task<IZooKeeper> SecondSessionAsync() => SessionAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var session in _sessions)
        {
            await session.DisposeAsync();
        }
        _timeout.Dispose();
    }

    protected static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    protected Task<CreateResult> CreateAsync(IZooKeeper zk, string path, string data = "", CreateOptions? options = null) =>
        zk.CreateAsync(path, Bytes(data), options ?? CreateOptions.Persistent, Ct);

    protected static async Task<ZooKeeperException> ThrowsCodeAsync(ErrorCode code, Func<Task> call)
    {
        var e = await Assert.ThrowsAnyAsync<ZooKeeperException>(call);
        Assert.Equal(code, e.Code);
        return e;
    }

    /// <summary>
    /// Waits until every event already triggered for <paramref name="zk"/> has been delivered: events of a session
    /// arrive in order, so once a watch set after them fires, they have all arrived. Lets a test check that an event
    /// did NOT come without sleeping.
    /// </summary>
    protected async Task FenceAsync(IZooKeeper zk)
    {
        var fence = new EventRecorder(EventTimeout);
        var path = "/fence-" + Guid.NewGuid().ToString("N");
        Assert.Null(await zk.ExistsAsync(path, fence.Watch, Ct));
        await CreateAsync(zk, path);
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeCreated, path), await fence.NextAsync());
        await zk.DeleteAsync(path, ZooKeeperVersion.Any, Ct);
    }

    /// <summary>Collects the events of one watcher, in delivery order.</summary>
    protected sealed class EventRecorder
    {
        private readonly Channel<WatchedEvent> _events = Channel.CreateUnbounded<WatchedEvent>();
        private readonly List<WatchedEvent> _all = [];
        private readonly TimeSpan timeout;

        public EventRecorder(TimeSpan timeout)
        {
            this.timeout = timeout;
            Watch = Record;
        }

        /// <summary>The one delegate of this recorder (so that removing it finds it).</summary>
        public Watcher Watch { get; }

        public IReadOnlyList<WatchedEvent> All
        {
            get
            {
                lock (_all)
                {
                    return [.. _all];
                }
            }
        }

        public async Task<WatchedEvent> NextAsync()
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                return await _events.Reader.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no watch event within {timeout}; got so far: {string.Join(", ", All)}");
            }
        }

        /// <summary>The events not yet taken by <see cref="NextAsync"/>.</summary>
        public List<WatchedEvent> Pending()
        {
            var pending = new List<WatchedEvent>();
            while (_events.Reader.TryRead(out var e))
            {
                pending.Add(e);
            }
            return pending;
        }

        private void Record(WatchedEvent e)
        {
            lock (_all)
            {
                _all.Add(e);
            }
            _events.Writer.TryWrite(e);
        }
    }
}

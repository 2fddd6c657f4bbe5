using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Gating.ZooKeeper.Session;

/// <summary>
/// Runs a session's watch callbacks and state-change handlers one at a time, in the order they were posted, so a
/// slow handler never stalls the read loop and handlers never run concurrently.
/// </summary>
internal sealed class EventLoop : IAsyncDisposable
{
    [ThreadStatic]
    private static EventLoop? s_current;

    private readonly Channel<Action> _queue = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _loop;

    public EventLoop(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public void Post(Action action) => _queue.Writer.TryWrite(action);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        // A handler that disposes its own client must not wait for itself.
        if (s_current != this)
        {
            await _loop;
        }
    }

    private async Task RunAsync()
    {
        s_current = this;
        await foreach (var action in _queue.Reader.ReadAllAsync())
        {
            s_current = this;
            try
            {
                action();
            }
#pragma warning disable CA1031 // a user's handler must not stop the loop that serves every other handler
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.HandlerFailed(_logger, e);
            }
        }
    }
}

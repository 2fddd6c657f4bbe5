using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Gating.ZooKeeper.Embedded;

/// <summary>One session's event thread: watch callbacks and state changes run here, one at a time, in order.</summary>
internal sealed partial class SessionEventLoop
{
    private readonly Channel<Action> _queue = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _loop;

    public SessionEventLoop(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public void Post(Action action) => _queue.Writer.TryWrite(action);

    /// <summary>Stops taking events and waits until the queued ones have run.</summary>
    public Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        return _loop;
    }

    private async Task RunAsync()
    {
        await foreach (var action in _queue.Reader.ReadAllAsync())
        {
            try
            {
                action();
            }
#pragma warning disable CA1031 // a user callback's failure must not stop the delivery of later events
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogCallbackFailed(e);
            }
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "A ZooKeeper watch or state callback threw")]
    private partial void LogCallbackFailed(Exception exception);
}

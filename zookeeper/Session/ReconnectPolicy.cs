using Polly;
using Polly.Retry;

namespace Gating.ZooKeeper.Session;

/// <summary>
/// Connect attempts retry forever with exponential backoff and jitter, each on the next host of the shuffled list;
/// only an expired session (or closing the client) stops them.
/// </summary>
internal static class ReconnectPolicy
{
    public static ResiliencePipeline Build(ZooKeeperClientOptions options)
    {
        const int resolution = 1 << 24;
        return new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e =>
                    e is not OperationCanceledException and not ZooKeeperException { Code: ErrorCode.SessionExpired }),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.ReconnectDelay,
                MaxDelay = options.MaxReconnectDelay,
                Randomizer = () => options.RandomInt(resolution) / (double)resolution,
            })
            .Build();
    }
}

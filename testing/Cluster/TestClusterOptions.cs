namespace Gating.Testing.Cluster;

/// <summary>How a <see cref="TestCluster"/> is built.</summary>
public sealed record TestClusterOptions
{
    /// <summary>Run on the real ZooKeeper of GATING_TEST_ZOOKEEPER instead of the in-memory store.</summary>
    public bool RealZooKeeper { get; init; }

    /// <summary>How many scheduler instances share the tenant (each with its own session).</summary>
    public int Schedulers { get; init; } = 1;

    /// <summary>
    /// Fault injection: called with the instance index and the checkpoint name at every point where a scheduler
    /// could crash; throw <see cref="SchedulerKilledException"/> to kill that instance there.
    /// </summary>
    public Action<int, string>? Checkpoint { get; init; }

    /// <summary>The most rounds <see cref="TestCluster.SettleAsync"/> runs before it gives up (a livelock guard).</summary>
    public int MaxSettleRounds { get; init; } = 5000;
}

/// <summary>Thrown from a checkpoint to kill a scheduler instance at that point.</summary>
public sealed class SchedulerKilledException(string where) : Exception($"scheduler killed at {where}");

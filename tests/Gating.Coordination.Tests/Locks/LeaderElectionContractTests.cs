using Gating.Coordination.Tests.Infrastructure;
using Gating.ZooKeeper;

namespace Gating.Coordination.Tests.Locks;

/// <summary>Leader election, on both backends.</summary>
public abstract class LeaderElectionContractTests<TBackend> : CoordinationTestBase<TBackend>
    where TBackend : ZooKeeperBackend, new()
{
    private static readonly string ElectionPath = ZkPaths.SchedulerElection("timer");

    [Fact]
    public async Task The_first_candidate_leads_and_the_next_takes_over_when_the_leader_resigns()
    {
        var a = await SessionAsync();
        var b = await SessionAsync();
        var leader = await new LeaderElection(a, ElectionPath, "host-a", Time).RunForLeaderAsync(Ct);
        Assert.Null(await new LeaderElection(b, ElectionPath, "host-b", Time).TryLeadAsync(Ct));
        var follower = new LeaderElection(b, ElectionPath, "host-b", Time).RunForLeaderAsync(Ct);
        var election = new LeaderElection(b, ElectionPath, "observer", Time);
        await EventuallyAsync(async () => (await election.GetCandidatesAsync(Ct)).Count == 2, "b stands");
        Assert.Equal(["host-a", "host-b"], await election.GetCandidatesAsync(Ct));
        Assert.False(follower.IsCompleted);

        await leader.DisposeAsync();
        await using var next = await Within(follower, "b to lead after a resigned");
        Assert.Equal(["host-b"], await election.GetCandidatesAsync(Ct));
        Assert.False(leader.IsLost);
    }

    [Fact]
    public async Task A_leader_whose_session_ends_is_told_and_another_candidate_leads()
    {
        var a = await SessionAsync();
        var b = await SessionAsync();
        var leader = await new LeaderElection(a, ElectionPath, "host-a", Time).RunForLeaderAsync(Ct);
        var told = new TaskCompletionSource<LossReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        leader.Lost += r => told.TrySetResult(r);
        var follower = new LeaderElection(b, ElectionPath, "host-b", Time).RunForLeaderAsync(Ct);
        await EventuallyAsync(async () => (await ZkLock.GetContendersAsync(b, ElectionPath, Ct)).Count == 2, "b stands");

        await Backend.EndSessionAsync(a, Ct);

        await Within(told.Task, "the leader to be told it lost leadership");
        Assert.True(leader.LostToken.IsCancellationRequested);
        await using var next = await Within(follower, "b to lead");
        Assert.False(next.IsLost);
        Assert.Equal(ConnectionState.Connected, b.State);
    }
}

public sealed class LeaderElectionTests : LeaderElectionContractTests<EmbeddedBackend>;

public sealed class LeaderElectionIntegrationTests : LeaderElectionContractTests<RealBackend>;

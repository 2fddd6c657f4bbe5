using System.Text;
using Gating.ZooKeeper;

namespace Gating.Coordination;

/// <summary>
/// Leader election by the lock recipe: every candidate queues an ephemeral sequential node under the election path,
/// the first one leads, and each waits only on its predecessor. The leader is told when it loses leadership through
/// <see cref="LockHandle.LostToken"/> (session lost, closed or suspended too long, or its node deleted) and must
/// stop leading at once; it can run again with a new session.
/// </summary>
public sealed class LeaderElection
{
    private readonly IZooKeeper _zk;
    private readonly ZkLock _lock;

    /// <param name="identifier">Who this candidate is (e.g. hostname), visible to <see cref="GetCandidatesAsync"/>.</param>
    public LeaderElection(IZooKeeper zk, string path, string identifier, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        _zk = zk;
        Path = path;
        _lock = ZkLock.Exclusive(zk, path, time, Encoding.UTF8.GetBytes(identifier));
    }

    public string Path { get; }

    /// <summary>Waits until this candidate leads. Dispose the result to resign.</summary>
    public Task<LockHandle> RunForLeaderAsync(CancellationToken cancellationToken) => _lock.AcquireAsync(cancellationToken);

    /// <summary>Leads only if no one else does or waits ahead now; null otherwise.</summary>
    public Task<LockHandle?> TryLeadAsync(CancellationToken cancellationToken) => _lock.TryAcquireAsync(cancellationToken);

    /// <summary>The candidates' identifiers in election order: the first one is the leader.</summary>
    public async Task<IReadOnlyList<string>> GetCandidatesAsync(CancellationToken cancellationToken) =>
        [.. (await ZkLock.GetContendersAsync(_zk, Path, cancellationToken)).Select(c => Encoding.UTF8.GetString(c.Identifier))];
}

using System.Collections.Concurrent;
using System.Collections.Immutable;
using Gating.Nodepool.Providers;

namespace Gating.Nodepool.Tests.Launcher;

/// <summary>
/// An in-memory provider for launcher tests: instances are entries of a shared backend (so a "restarted"
/// launcher sees what a dead one left), launches can be made to fail or to wait at a gate.
/// </summary>
internal sealed class FakeNodeProvider(string name, FakeBackend backend) : INodeProvider
{
    public string Name { get; } = name;

    // The cloud's limit is not known up front (as with a cloud quota shared with others): it shows at launch.
    public ProviderQuota Quota => new(null);

    public Task<ProviderNode> CreateAsync(NodeLaunch launch, CancellationToken cancellationToken)
    {
        var attempt = Interlocked.Increment(ref backend.Attempts);
        if (backend.FailAttempt(attempt))
        {
            throw new NodeLaunchException($"launch attempt {attempt} failed (fake)");
        }

        if (backend.MaxServers is { } max && backend.Instances.Count >= max)
        {
            throw new ProviderQuotaException("fake cloud is full");
        }

        var id = $"fake-{launch.NodeId}-{attempt}";
        backend.Instances[id] = new ProviderInstance(id, launch.NodeId);
        return Task.FromResult(new ProviderNode(id, id, "127.0.0.1", 22, "zuul") { HostKeys = ["ssh-ed25519 AAAAfake"] });
    }

    public async Task<ProviderNode> WaitReadyAsync(ProviderNode node, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref backend.Waiting);
        await backend.Gate.Task.WaitAsync(cancellationToken);
        return node;
    }

    public Task DeleteAsync(string externalId, CancellationToken cancellationToken)
    {
        backend.Instances.TryRemove(externalId, out _);
        return Task.CompletedTask;
    }

    public Task<ImmutableArray<ProviderInstance>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult(backend.Instances.Values.OrderBy(i => i.ExternalId, StringComparer.Ordinal).ToImmutableArray());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>The "cloud" behind fake providers.</summary>
internal sealed class FakeBackend
{
    public ConcurrentDictionary<string, ProviderInstance> Instances { get; } = new();

    public int Attempts;

    public int Waiting;

    public int? MaxServers { get; set; }

    public Func<int, bool> FailAttempt { get; set; } = _ => false;

    /// <summary>Launches wait here until it completes; open by default.</summary>
    public TaskCompletionSource Gate { get; set; } = Open();

    public static TaskCompletionSource Open()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }
}

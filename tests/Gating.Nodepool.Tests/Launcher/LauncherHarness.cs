using System.Collections.Immutable;
using Gating.Model;
using Gating.Nodepool.Config;
using Gating.Nodepool.Launcher;
using Gating.Nodepool.Providers;
using Microsoft.Extensions.Time.Testing;

namespace Gating.Nodepool.Tests.Launcher;

/// <summary>
/// An in-process launcher cluster: one store, launcher sessions with pool workers, a requestor session doing
/// what Zuul's scheduler and executor do (submit, wait, accept, return), and a fake clock.
/// </summary>
internal sealed class LauncherHarness : IAsyncDisposable
{
    private readonly List<PoolWorker> _workers = [];
    private readonly Dictionary<string, IAsyncDisposable> _nodeLocks = new(StringComparer.Ordinal);

    public LauncherHarness(ProvidersConfig config)
    {
        Config = config;
        Requestor = Store.Connect("zuul");
    }

    public ProvidersConfig Config { get; }

    public InMemoryNodeStore Store { get; } = new();

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));

    public InMemoryNodeStore.Session Requestor { get; }

    /// <summary>A config with one provider "cloud", pool "main", labels with the given min-ready.</summary>
    public static ProvidersConfig SimpleConfig(int? maxServers = 4, int minReady = 0, int launchRetries = 3, int maxConcurrency = 0) => new(
        [new LabelConfig("small") { MinReady = minReady }, new LabelConfig("big")],
        [new ProviderConfig("cloud", "fake")
        {
            LaunchRetries = launchRetries,
            MaxConcurrency = maxConcurrency,
            Pools = [new PoolConfig("main") { MaxServers = maxServers, Labels = [new("small"), new("big") { Cores = 4 }], NodeAttributes = ImmutableDictionary<string, string>.Empty.Add("executor-zone", "here") }],
        }],
        []);

    /// <summary>A launcher session running the first pool of the first provider with the given provider.</summary>
    public (PoolWorker Worker, InMemoryNodeStore.Session Session) Launcher(string name, INodeProvider provider)
    {
        var session = Store.Connect(name);
        var providerConfig = Config.Providers[0];
        var worker = new PoolWorker(Config, providerConfig, providerConfig.Pools[0], provider, session, name, Time);
        _workers.Add(worker);
        return (worker, session);
    }

    public Task<NodeRequest> SubmitAsync(params string[] labels) => SubmitForAsync("tenant", labels);

    public Task<NodeRequest> SubmitForAsync(string tenant, params string[] labels) =>
        Requestor.SubmitRequestAsync(new NodeRequest("", NodeRequestState.Requested, Time.GetUtcNow(), [.. labels], "zuul") { TenantName = tenant }, default);

    public async Task<NodeRequest> RequestAsync(string id) =>
        (await Requestor.RequestsAsync(default)).FirstOrDefault(r => r.Id == id) ?? throw new InvalidOperationException($"request {id} is gone");

    public async Task<Node> NodeAsync(string id) => (await Requestor.NodesAsync(default)).Single(n => n.Id == id);

    /// <summary>One pass of every worker, then waits until their handlers are done.</summary>
    public async Task PassAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.RunOnceAsync(default);
        }

        await Task.WhenAll(_workers.Select(w => w.IdleAsync()));
    }

    /// <summary>The executor's accept: lock the nodes, set them in-use, delete the request.</summary>
    public async Task<ImmutableArray<Node>> AcceptAsync(NodeRequest request)
    {
        foreach (var id in request.NodeIds)
        {
            _nodeLocks[id] = await Requestor.TryLockNodeAsync(id, default) ?? throw new InvalidOperationException($"node {id} is locked");
        }

        var accepted = NodeSetRequests.Accept(request, await Requestor.NodesAsync(default), Time.GetUtcNow());
        Assert.True(accepted.Error is null, accepted.Error);
        foreach (var node in accepted.Nodes!.Value)
        {
            await Requestor.SaveNodeAsync(node, default);
        }

        await Requestor.DeleteRequestAsync(request.Id, default);
        return accepted.Nodes.Value;
    }

    /// <summary>The executor's return: used (unless held), then unlock.</summary>
    public async Task ReturnAsync(IEnumerable<Node> nodes)
    {
        foreach (var node in NodeSetRequests.Return(nodes, Time.GetUtcNow()))
        {
            await Requestor.SaveNodeAsync(node, default);
            if (_nodeLocks.Remove(node.Id, out var nodeLock))
            {
                await nodeLock.DisposeAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }
    }
}

using System.Collections.Immutable;
using Gating.Model;
using Gating.Nodepool.Launcher;

namespace Gating.Nodepool.Tests.Launcher;

/// <summary>
/// Zuul's side of the node protocol on any store (reference/zuul.md 5.2): the scheduler submits requests and waits
/// for them; the executor accepts the nodes (lock, in-use, delete the request) and returns them (used, unlock).
/// </summary>
internal sealed class Requestor(INodeStore store) : IAsyncDisposable
{
    private readonly Dictionary<string, IAsyncDisposable> _locks = new(StringComparer.Ordinal);

    public INodeStore Store => store;

    public Task<NodeRequest> SubmitAsync(params string[] labels) =>
        store.SubmitRequestAsync(new NodeRequest("", NodeRequestState.Requested, DateTimeOffset.UnixEpoch, [.. labels], "zuul") { TenantName = "tenant" }, default);

    /// <summary>Waits until the request satisfies <paramref name="done"/> (default: fulfilled or failed).</summary>
    public async Task<NodeRequest> WaitAsync(string id, Func<NodeRequest, bool>? done = null, int seconds = 60)
    {
        done ??= r => r.IsDone;
        NodeRequest? request = null;
        await TestHosts.WaitForAsync(async () => (request = await store.RequestAsync(id, default)) is { } r && done(r), $"request {id}", seconds);
        return request!;
    }

    public async Task<ImmutableArray<Node>> AcceptAsync(NodeRequest request)
    {
        foreach (var id in request.NodeIds)
        {
            _locks[id] = await store.TryLockNodeAsync(id, default) ?? throw new InvalidOperationException($"node {id} is locked");
        }

        var accepted = NodeSetRequests.Accept(request, await store.NodesAsync(default), DateTimeOffset.UnixEpoch);
        Assert.True(accepted.Error is null, accepted.Error);
        foreach (var node in accepted.Nodes!.Value)
        {
            await store.UpdateNodeAsync(node.Id, _ => node, default);
        }

        await store.DeleteRequestAsync(request.Id, default);
        return accepted.Nodes.Value;
    }

    /// <summary>Returns nodes: used (or whatever <paramref name="final"/> makes of them), then unlocked.</summary>
    public async Task ReturnAsync(IEnumerable<Node> nodes, Func<Node, Node>? final = null)
    {
        foreach (var node in final is null ? NodeSetRequests.Return(nodes, DateTimeOffset.UnixEpoch) : nodes.Select(final))
        {
            await store.UpdateNodeAsync(node.Id, _ => node, default);
            if (_locks.Remove(node.Id, out var nodeLock))
            {
                await nodeLock.DisposeAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var nodeLock in _locks.Values)
        {
            await nodeLock.DisposeAsync();
        }
    }
}

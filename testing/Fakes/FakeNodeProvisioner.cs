using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Gating.Coordination;
using Gating.Model.Events;
using Gating.Model.Json;
using Gating.Scheduler.Pipelines;
using Gating.Scheduler.Runtime;
using Gating.ZooKeeper;

namespace Gating.Testing.Fakes;

/// <summary>
/// Node requests for the test kit: the scheduler's requests become znodes under <see cref="Root"/> (named by the
/// core's request id, so a repeated request is a no-op), and <see cref="RunOnceAsync"/> fulfils them with
/// made-up nodes, or fails those whose labels are marked with <see cref="SetFailure"/> (NODE_FAILURE). The answer
/// is a nodes-provisioned or nodes-failed result event on the pipeline's result queue.
/// </summary>
public sealed class FakeNodeProvisioner(IZooKeeper zk) : INodeProvisioner
{
    /// <summary>Where requests wait.</summary>
    public const string Root = "/gating-test/node-requests";

    private readonly HashSet<string> _failing = new(StringComparer.Ordinal);

    private sealed record StoredRequest(string Tenant, string Pipeline, string RequestId, ImmutableArray<string> Labels, bool Cancelled = false);

    /// <summary>Requests for <paramref name="label"/> fail while set.</summary>
    public void SetFailure(string label, bool fail)
    {
        lock (_failing)
        {
            if (fail)
            {
                _failing.Add(label);
            }
            else
            {
                _failing.Remove(label);
            }
        }
    }

    /// <summary>Nodes handed out and not returned.</summary>
    public int NodesInUse { get; private set; }

    /// <inheritdoc/>
    public async Task RequestAsync(string tenant, string pipeline, RequestNodes request, CancellationToken cancellationToken)
    {
        var stored = new StoredRequest(tenant, pipeline, request.RequestId, request.Nodeset.Nodes.Select(n => n.Label).ToImmutableArray());
        try
        {
            await zk.CreateWithParentsAsync($"{Root}/{request.RequestId}", JsonSerializer.SerializeToUtf8Bytes(stored), CreateOptions.Persistent, cancellationToken);
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.NodeExists)
        {
            // Requested before a crash.
        }
    }

    /// <inheritdoc/>
    public async Task CancelAsync(string requestId, CancellationToken cancellationToken) =>
        await zk.TryDeleteAsync($"{Root}/{requestId}", cancellationToken);

    /// <inheritdoc/>
    public Task ReturnAsync(IReadOnlyList<string> nodes, CancellationToken cancellationToken)
    {
        NodesInUse -= nodes.Count;
        return Task.CompletedTask;
    }

    /// <summary>Answers every waiting request; true when any was answered.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var did = false;
        foreach (var name in (await zk.TryGetChildrenAsync(Root, cancellationToken)).Order(StringComparer.Ordinal))
        {
            var node = await zk.TryGetDataAsync($"{Root}/{name}", null, cancellationToken);
            if (node is null)
            {
                continue;
            }
            var request = JsonSerializer.Deserialize<StoredRequest>(node.Data)!;
            bool fail;
            lock (_failing)
            {
                fail = request.Labels.Any(_failing.Contains);
            }
            PipelineEvent answer = fail
                ? new NodesFailedEvent(request.RequestId)
                : new NodesProvisionedEvent(request.RequestId, request.Labels.Select((_, i) => $"{request.RequestId}-{i.ToString(CultureInfo.InvariantCulture)}").ToImmutableArray());
            var events = new EventQueue(zk, ZkPaths.PipelineResultEvents(request.Tenant, request.Pipeline));
            await events.EnsureAsync(cancellationToken);
            // Answer and forget the request in one transaction, so neither happens twice.
            await zk.MultiAsync([events.PutOp(ResultEventJson.Serialize(answer)), new Op.Delete($"{Root}/{name}", node.Stat.Version)], cancellationToken);
            if (!fail)
            {
                NodesInUse += request.Labels.Length;
            }
            did = true;
        }
        return did;
    }
}

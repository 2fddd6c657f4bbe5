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

    private const int MaxAnswersPerMulti = 500;

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
    public Task RequestAsync(string tenant, string pipeline, RequestNodes request, CancellationToken cancellationToken) =>
        RequestManyAsync(tenant, pipeline, [request], cancellationToken);

    /// <inheritdoc/>
    public Task CancelAsync(string requestId, CancellationToken cancellationToken) => CancelManyAsync([requestId], cancellationToken);

    /// <inheritdoc/>
    public Task ReturnAsync(IReadOnlyList<string> nodes, CancellationToken cancellationToken)
    {
        NodesInUse -= nodes.Count;
        return Task.CompletedTask;
    }

    /// <summary>Creates the request znodes in one multi; after a crash (some exist) each goes alone.</summary>
    public async Task RequestManyAsync(string tenant, string pipeline, IReadOnlyList<RequestNodes> requests, CancellationToken cancellationToken)
    {
        if (requests.Count == 0)
        {
            return;
        }
        await zk.EnsurePathAsync(Root, cancellationToken);
        var ops = requests.Select(r => (Op)new Op.Create($"{Root}/{r.RequestId}",
            JsonSerializer.SerializeToUtf8Bytes(new StoredRequest(tenant, pipeline, r.RequestId, r.Nodeset.Nodes.Select(n => n.Label).ToImmutableArray())),
            CreateOptions.Persistent)).ToList();
        try
        {
            await zk.MultiAsync(ops, cancellationToken);
        }
        catch (ZooKeeperMultiException e) when (e.Code == ErrorCode.NodeExists)
        {
            foreach (var op in ops.Cast<Op.Create>())
            {
                try
                {
                    await zk.CreateAsync(op.Path, op.Data, op.Options, cancellationToken);
                }
                catch (ZooKeeperException one) when (one.Code == ErrorCode.NodeExists)
                {
                    // Requested before a crash.
                }
            }
        }
    }

    /// <summary>Deletes the waiting request znodes in one multi (those answered meanwhile are skipped).</summary>
    public async Task CancelManyAsync(IReadOnlyList<string> requestIds, CancellationToken cancellationToken)
    {
        var reads = requestIds.Select(id => zk.ExistsAsync($"{Root}/{id}", null, cancellationToken)).ToList();
        var ops = new List<Op>();
        for (var i = 0; i < requestIds.Count; i++)
        {
            if (await reads[i] is not null)
            {
                ops.Add(new Op.Delete($"{Root}/{requestIds[i]}", ZooKeeperVersion.Any));
            }
        }
        if (ops.Count == 0)
        {
            return;
        }
        try
        {
            await zk.MultiAsync(ops, cancellationToken);
        }
        catch (ZooKeeperMultiException e) when (e.Code == ErrorCode.NoNode)
        {
            foreach (var op in ops)
            {
                await zk.TryDeleteAsync(op.Path, cancellationToken);
            }
        }
    }

    /// <summary>Gives back the nodes of many requests.</summary>
    public Task ReturnManyAsync(IReadOnlyList<IReadOnlyList<string>> nodeLists, CancellationToken cancellationToken)
    {
        NodesInUse -= nodeLists.Sum(n => n.Count);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Answers every waiting request; true when any was answered. The reads go out together; the answers go in one
    /// multi per pipeline, in request-name order, each with the delete of its request at the version read, so neither
    /// happens twice.
    /// </summary>
    public async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var names = (await zk.TryGetChildrenAsync(Root, cancellationToken)).Order(StringComparer.Ordinal).ToList();
        var reads = names.Select(name => zk.TryGetDataAsync($"{Root}/{name}", null, cancellationToken)).ToList();
        var answers = new List<(StoredRequest Request, bool Fail, Op Delete)>();
        for (var i = 0; i < names.Count; i++)
        {
            if (await reads[i] is not { } node)
            {
                continue;
            }
            var request = JsonSerializer.Deserialize<StoredRequest>(node.Data)!;
            bool fail;
            lock (_failing)
            {
                fail = request.Labels.Any(_failing.Contains);
            }
            answers.Add((request, fail, new Op.Delete($"{Root}/{names[i]}", node.Stat.Version)));
        }
        foreach (var group in answers.GroupBy(a => (a.Request.Tenant, a.Request.Pipeline)))
        {
            var events = new EventQueue(zk, ZkPaths.PipelineResultEvents(group.Key.Tenant, group.Key.Pipeline));
            await events.EnsureAsync(cancellationToken);
            foreach (var chunk in group.Chunk(MaxAnswersPerMulti))
            {
                try
                {
                    await zk.MultiAsync(chunk.SelectMany(a => AnswerOps(events, a.Request, a.Fail, a.Delete)).ToList(), cancellationToken);
                    NodesInUse += chunk.Where(a => !a.Fail).Sum(a => a.Request.Labels.Length);
                }
                catch (ZooKeeperMultiException e) when (e.Code is ErrorCode.NoNode or ErrorCode.BadVersion)
                {
                    // A request was withdrawn meanwhile: answer the others one by one.
                    foreach (var (request, fail, delete) in chunk)
                    {
                        try
                        {
                            await zk.MultiAsync(AnswerOps(events, request, fail, delete), cancellationToken);
                            NodesInUse += fail ? 0 : request.Labels.Length;
                        }
                        catch (ZooKeeperMultiException one) when (one.Code is ErrorCode.NoNode or ErrorCode.BadVersion)
                        {
                            // Withdrawn: no answer.
                        }
                    }
                }
            }
        }
        return answers.Count > 0;
    }

    private static List<Op> AnswerOps(EventQueue events, StoredRequest request, bool fail, Op delete)
    {
        PipelineEvent answer = fail
            ? new NodesFailedEvent(request.RequestId)
            : new NodesProvisionedEvent(request.RequestId, request.Labels.Select((_, i) => $"{request.RequestId}-{i.ToString(CultureInfo.InvariantCulture)}").ToImmutableArray());
        return [events.PutOp(ResultEventJson.Serialize(answer)), delete];
    }
}

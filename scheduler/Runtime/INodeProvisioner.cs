using Gating.Scheduler.Pipelines;

namespace Gating.Scheduler.Runtime;

/// <summary>
/// How the scheduler asks for nodes: nodepool's request znodes in production, a fulfiller in the test kit. An
/// implementation answers every request with a <c>nodes-provisioned</c> or <c>nodes-failed</c> result event on
/// <c>ZkPaths.PipelineResultEvents(tenant, pipeline)</c>, keyed by <see cref="RequestNodes.RequestId"/>.
/// Every method is idempotent: after a crash the scheduler may call it again with the same arguments.
/// </summary>
public interface INodeProvisioner
{
    /// <summary>Submits a node request for a job (once per request id).</summary>
    Task RequestAsync(string tenant, string pipeline, RequestNodes request, CancellationToken cancellationToken);

    /// <summary>Withdraws a request; unknown or finished requests are ignored.</summary>
    Task CancelAsync(string requestId, CancellationToken cancellationToken);

    /// <summary>Gives provisioned nodes back.</summary>
    Task ReturnAsync(IReadOnlyList<string> nodes, CancellationToken cancellationToken);

    /// <summary>
    /// Submits the node requests of one outbox (once per request id), in the order given. The default calls
    /// <see cref="RequestAsync"/> for each; an implementation that can write many requests in one transaction or
    /// pipeline them overrides it.
    /// </summary>
    async Task RequestManyAsync(string tenant, string pipeline, IReadOnlyList<RequestNodes> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        foreach (var request in requests)
        {
            await RequestAsync(tenant, pipeline, request, cancellationToken);
        }
    }

    /// <summary>Withdraws many requests (unknown or finished ones are ignored). The default calls
    /// <see cref="CancelAsync"/> for each.</summary>
    async Task CancelManyAsync(IReadOnlyList<string> requestIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestIds);
        foreach (var requestId in requestIds)
        {
            await CancelAsync(requestId, cancellationToken);
        }
    }

    /// <summary>Gives back the nodes of many requests, one list per request. The default calls
    /// <see cref="ReturnAsync"/> for each list.</summary>
    async Task ReturnManyAsync(IReadOnlyList<IReadOnlyList<string>> nodeLists, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodeLists);
        foreach (var nodes in nodeLists)
        {
            await ReturnAsync(nodes, cancellationToken);
        }
    }
}

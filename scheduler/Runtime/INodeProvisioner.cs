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
}

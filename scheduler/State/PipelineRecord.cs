using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Gating.Model;

namespace Gating.Scheduler.State;

/// <summary>
/// What a pipeline keeps in ZooKeeper between passes: its state, the actions decided but not yet known to be
/// carried out (the outbox), and how far each of its event queues has been consumed. Written as one versioned
/// blob, so a pass's new state, its actions and the events it consumed commit together.
/// </summary>
/// <param name="State">The pipeline state.</param>
/// <param name="Outbox">Actions to carry out (envelopes of <see cref="SchedulerJson.ActionNode"/>), in order; each
/// action is idempotent, so a new scheduler carries out the whole outbox again after a crash.</param>
/// <param name="Consumed">Per event queue root, the highest sequence number already applied to <see cref="State"/>.</param>
/// <param name="Pass">Passes that changed this record (part of every action key).</param>
public sealed record PipelineRecord(
    PipelineState State,
    ImmutableArray<JsonNode> Outbox,
    ImmutableDictionary<string, long> Consumed,
    long Pass)
{
    /// <summary>A new pipeline's record.</summary>
    public static PipelineRecord Empty(string tenant, string pipeline) =>
        new(PipelineState.Empty(tenant, pipeline), [], ImmutableDictionary<string, long>.Empty, 0);
}

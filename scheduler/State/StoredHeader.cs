using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Gating.Model;

namespace Gating.Scheduler.State;

/// <summary>
/// The header of a stored pipeline record: everything of <see cref="PipelineRecord"/> except the queue items and the
/// change map, which live in immutable part znodes named by the manifests. The header is the commit point: one
/// compare-and-set on it switches state, outbox, consumed positions and every part at once.
/// </summary>
/// <param name="State">The state with <see cref="PipelineState.Items"/> and <see cref="PipelineState.Changes"/> empty.</param>
/// <param name="Outbox">The record's outbox.</param>
/// <param name="Consumed">The record's consumed event positions.</param>
/// <param name="Pass">The record's pass.</param>
/// <param name="Items">Item id to the names of the part znodes holding it (one, or several when large).</param>
/// <param name="Changes">Change key (see <see cref="PipelineStateStore.ChangePartKey"/>) to its part znode names.</param>
internal sealed record StoredHeader(
    PipelineState State,
    ImmutableArray<JsonNode> Outbox,
    ImmutableDictionary<string, long> Consumed,
    long Pass,
    ImmutableDictionary<string, ImmutableArray<string>> Items,
    ImmutableDictionary<string, ImmutableArray<string>> Changes);

/// <summary>One part as this instance last committed or read it: the value, its znode names and a digest of its JSON.</summary>
internal sealed record StoredPart(object Value, ImmutableArray<string> Names, byte[] Digest);

/// <summary>What this instance knows of a pipeline's committed record.</summary>
internal sealed record CommittedRecord(
    int Version,
    PipelineRecord Record,
    ImmutableDictionary<string, StoredPart> Items,
    ImmutableDictionary<string, StoredPart> Changes,
    ImmutableArray<string> HeaderChunks);

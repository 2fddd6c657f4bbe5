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
/// <param name="Graphs">Item id to the part znodes of its buildset's job graph, for items whose graph has jobs: the
/// graph is most of an item's bytes and never changes once frozen, while the item changes with every build, so the
/// item's own part holds its buildset without the graph.</param>
internal sealed record StoredHeader(
    PipelineState State,
    ImmutableArray<JsonNode> Outbox,
    ImmutableDictionary<string, long> Consumed,
    long Pass,
    ImmutableDictionary<string, ImmutableArray<string>> Items,
    ImmutableDictionary<string, ImmutableArray<string>> Changes,
    ImmutableDictionary<string, ImmutableArray<string>>? Graphs);

/// <summary>One part as this instance last committed or read it: the value, its znode names and a digest of its JSON.</summary>
internal sealed record StoredPart(object Value, ImmutableArray<string> Names, byte[] Digest);

/// <summary>What this instance knows of a pipeline's committed record.</summary>
internal sealed record CommittedRecord(
    int Version,
    PipelineRecord Record,
    ImmutableDictionary<string, StoredPart> Items,
    ImmutableDictionary<string, StoredPart> Changes,
    ImmutableDictionary<string, StoredPart> Graphs,
    ImmutableArray<string> HeaderChunks)
{
    /// <summary>Every part name the record uses.</summary>
    public IEnumerable<string> Names => Items.Values.Concat(Changes.Values).Concat(Graphs.Values).SelectMany(p => p.Names).Concat(HeaderChunks);
}

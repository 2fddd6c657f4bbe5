using System.Collections.Immutable;
using Gating.Config.Model;
using Gating.Model;

namespace Gating.Scheduler.Pipelines;

/// <summary>
/// One application of the core to one event: a mutable working copy of the pipeline state that is turned back
/// into an immutable <see cref="PipelineState"/> at the end. Never shared, never kept.
/// </summary>
internal sealed partial class PipelineRun
{
    private sealed class WorkQueue(ChangeQueue queue)
    {
        public ChangeQueue Meta = queue;
        public readonly List<string> Items = [.. queue.Items];
    }

    private readonly PipelineContext _ctx;
    private readonly PipelineSettings _s;
    private readonly DateTimeOffset _now;
    private readonly PipelineState _initial;
    private readonly Dictionary<string, QueueItem> _items;
    private readonly List<WorkQueue> _queues;
    private readonly ImmutableDictionary<ChangeKey, Change>.Builder _changes;
    private readonly Dictionary<string, List<SemaphoreHolder>> _semaphores;
    private readonly List<PipelineAction> _actions = [];
    private int _consecutiveFailures;
    private bool _disabled;
    private long _sequence;
    private bool _changed;
    private Dictionary<string, string>? _buildSetIndex;
    private Dictionary<string, (string, string)>? _nodeRequestIndex;
    private readonly Dictionary<string, bool> _holding = new(StringComparer.Ordinal);

    public PipelineRun(PipelineContext context, PipelineState state, DateTimeOffset now)
    {
        _ctx = context;
        _s = context.Settings;
        _now = now;
        _initial = state;
        _items = new Dictionary<string, QueueItem>(state.Items);
        _queues = state.Queues.Select(q => new WorkQueue(q)).ToList();
        _changes = state.Changes.ToBuilder();
        _semaphores = state.Semaphores.ToDictionary(kv => kv.Key, kv => kv.Value.ToList());
        _consecutiveFailures = state.ConsecutiveFailures;
        _disabled = state.Disabled;
        _sequence = state.Sequence;
    }

    private bool Dependent => _s.Manager == PipelineManagerKind.Dependent;

    /// <summary>Run queue passes until one changes nothing (bounded, so a bug cannot spin forever).</summary>
    public void ProcessUntilQuiet()
    {
        for (var pass = 0; pass < 10_000; pass++)
        {
            _changed = false;
            _holding.Clear();
            foreach (var queue in _queues.ToList())
            {
                ProcessQueue(queue);
            }
            _queues.RemoveAll(q => q.Items.Count == 0 && q.Meta.Dynamic);
            if (!_changed)
            {
                return;
            }
        }
        throw new InvalidOperationException($"Pipeline {_s.Name} did not settle after 10000 passes.");
    }

    public PipelineResult Finish()
    {
        var state = _initial with
        {
            Queues = _queues.Select(q => q.Meta with { Items = [.. q.Items] }).ToImmutableArray(),
            Items = _items.ToImmutableDictionary(),
            Changes = _changes.ToImmutable(),
            Semaphores = _semaphores.Where(kv => kv.Value.Count > 0).ToImmutableDictionary(kv => kv.Key, kv => kv.Value.ToImmutableArray()),
            ConsecutiveFailures = _consecutiveFailures,
            Disabled = _disabled,
            Sequence = _sequence,
        };
        return new PipelineResult(state, _actions);
    }

    private string NextId(string kind) => $"{_ctx.IdPrefix}{kind}{++_sequence}";

    private void Emit(PipelineAction action)
    {
        _actions.Add(action);
        _changed = true;
    }

    private void Put(QueueItem item)
    {
        if (!ReferenceEquals(_items[item.Id], item))
        {
            _items[item.Id] = item;
            _changed = true;
        }
    }

    private WorkQueue QueueOf(QueueItem item) => _queues.First(q => q.Meta.Id == item.QueueId);

    private QueueItem? Ahead(QueueItem item) => item.ItemAhead is { } id ? _items[id] : null;

    /// <summary>Items whose <see cref="QueueItem.ItemAhead"/> is <paramref name="item"/> (Zuul's <c>items_behind</c>).</summary>
    private List<QueueItem> ItemsBehind(QueueItem item)
    {
        var behind = new List<QueueItem>();
        foreach (var id in QueueOf(item).Items)
        {
            var other = _items[id];
            if (other.ItemAhead == item.Id)
            {
                behind.Add(other);
            }
        }
        return behind;
    }

    /// <summary>The items this one is tested on top of, nearest first (the item-ahead chain).</summary>
    private IEnumerable<QueueItem> AheadChain(QueueItem item)
    {
        for (var a = Ahead(item); a is not null; a = Ahead(a))
        {
            yield return a;
        }
    }

    /// <summary>The speculative state of <paramref name="item"/>: the changes of the chain ahead (head first), then its own.</summary>
    private ImmutableArray<Change> SpeculativeChanges(QueueItem item)
    {
        if (_s.Manager is PipelineManagerKind.Serial or PipelineManagerKind.Supercedent)
        {
            return item.Changes;
        }
        var chain = AheadChain(item).Reverse().SelectMany(a => a.Changes);
        return [.. chain, .. item.Changes];
    }

    private BuildSet NewBuildSet() => new() { Id = NextId("bs") };

    private Change Latest(Change change) =>
        _changes.TryGetValue(change.Key, out var latest) && latest.Revision == change.Revision ? latest : change;
}

using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>Who holds a semaphore: a job of a buildset.</summary>
/// <param name="BuildSetId">The buildset.</param>
/// <param name="Job">The job.</param>
public sealed record SemaphoreHolder(string BuildSetId, string Job);

/// <summary>
/// Everything a pipeline knows between two events: its queues, their items, the latest version of every change it
/// has seen, semaphore holders and the counters. Immutable; the pipeline core returns a new one per event.
/// </summary>
public sealed record PipelineState
{
    /// <summary>The tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>The pipeline.</summary>
    public required string Pipeline { get; init; }

    /// <summary>Queues in pipeline order (promote moves a queue to the front).</summary>
    public ImmutableArray<ChangeQueue> Queues { get; init; } = [];

    /// <summary>Every queued item by id.</summary>
    public ImmutableDictionary<string, QueueItem> Items { get; init; } = ImmutableDictionary<string, QueueItem>.Empty;

    /// <summary>The latest version of every change seen (the needs of queued items are checked against it).</summary>
    public ImmutableDictionary<ChangeKey, Change> Changes { get; init; } = ImmutableDictionary<ChangeKey, Change>.Empty;

    /// <summary>Semaphore holders by semaphore name.</summary>
    public ImmutableDictionary<string, ImmutableArray<SemaphoreHolder>> Semaphores { get; init; } =
        ImmutableDictionary<string, ImmutableArray<SemaphoreHolder>>.Empty;

    /// <summary>Items reported as failing in a row (for <c>disable-after-consecutive-failures</c>).</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>The pipeline was disabled by consecutive failures; only <c>disabled</c> reporters run.</summary>
    public bool Disabled { get; init; }

    /// <summary>Counter behind every id this pipeline hands out (items, buildsets, builds, requests).</summary>
    public long Sequence { get; init; }

    /// <summary>An empty pipeline.</summary>
    public static PipelineState Empty(string tenant, string pipeline) => new() { Tenant = tenant, Pipeline = pipeline };

    /// <summary>The queue with <paramref name="id"/>.</summary>
    public ChangeQueue? Queue(string id) => Queues.FirstOrDefault(q => q.Id == id);

    /// <summary>The items of a queue, head first.</summary>
    public IEnumerable<QueueItem> ItemsOf(ChangeQueue queue) => queue.Items.Select(id => Items[id]);

    /// <summary>Every item in pipeline order.</summary>
    public IEnumerable<QueueItem> AllItems => Queues.SelectMany(ItemsOf);
}

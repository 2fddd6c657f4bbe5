using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>Where an item stands once its builds are done and it may be reported.</summary>
public enum ItemPhase
{
    /// <summary>Queued; jobs may run.</summary>
    Queued,
    /// <summary>Reported success, the submit (merge) of its changes is outstanding.</summary>
    Submitting,
}

/// <summary>
/// An entry of a change queue: one change, or every change of a dependency cycle (a "bundle"). Live items run jobs
/// and report; non-live items only stand in for changes ahead (independent pipelines).
/// </summary>
public sealed record QueueItem
{
    /// <summary>Unique item id.</summary>
    public required string Id { get; init; }

    /// <summary>The queue it is in (<see cref="ChangeQueue.Id"/>).</summary>
    public required string QueueId { get; init; }

    /// <summary>The changes, git parents first; several only for a cycle.</summary>
    public required ImmutableArray<Change> Changes { get; init; }

    /// <summary>Runs jobs and reports.</summary>
    public bool Live { get; init; } = true;

    /// <summary>Do not send enqueue/start reports (e.g. re-enqueued by promote).</summary>
    public bool Quiet { get; init; }

    /// <summary>Enqueued by an operator: pipeline requirements are not re-checked.</summary>
    public bool IgnoreRequirements { get; init; }

    /// <summary>The item this one is tested on top of (Zuul's <c>item_ahead</c>); null at the head.</summary>
    public string? ItemAhead { get; init; }

    /// <summary>When it was enqueued.</summary>
    public required DateTimeOffset EnqueueTime { get; init; }

    /// <summary>Inside the window.</summary>
    public bool Active { get; init; }

    /// <summary>The start report was sent.</summary>
    public bool ReportedStart { get; init; }

    /// <summary>The current buildset.</summary>
    public required BuildSet BuildSet { get; init; }

    /// <summary>A needed change left or went stale: the item fails with "Change X is needed.".</summary>
    public string? DequeuedNeedingChange { get; init; }

    /// <summary>The pipeline requirements stopped matching.</summary>
    public bool DequeuedMissingRequirements { get; init; }

    /// <summary>Queued, or waiting for its submit.</summary>
    public ItemPhase Phase { get; init; } = ItemPhase.Queued;

    /// <summary>The id of the event that enqueued it (for tracing).</summary>
    public string? EventId { get; init; }

    /// <summary>The first change (the one that names the item).</summary>
    public Change Change => Changes[0];

    /// <summary>True if <paramref name="key"/> is one of the item's changes.</summary>
    public bool Contains(ChangeKey key)
    {
        foreach (var c in Changes)
        {
            if (c.Key == key)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Text for logs: the change list.</summary>
    public override string ToString() => $"<item {Id} {string.Join(" ", Changes)}>";
}

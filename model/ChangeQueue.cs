using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>How a window grows or shrinks (reference §3.9); <see cref="None"/> keeps it fixed.</summary>
public enum WindowType
{
    /// <summary>Add or subtract the factor.</summary>
    Linear,
    /// <summary>Multiply or divide by the factor.</summary>
    Exponential,
    /// <summary>Fixed (serial and supercedent queues).</summary>
    None,
}

/// <summary>Window settings of a change queue.</summary>
/// <param name="Initial">Starting window; 0 means unlimited.</param>
/// <param name="Floor">Smallest window.</param>
/// <param name="Ceiling">Largest window; null means none.</param>
/// <param name="IncreaseType">Growth on a merge.</param>
/// <param name="IncreaseFactor">Growth factor.</param>
/// <param name="DecreaseType">Shrink on a failure.</param>
/// <param name="DecreaseFactor">Shrink factor.</param>
public sealed record WindowSettings(
    int Initial = 20,
    int Floor = 3,
    int? Ceiling = null,
    WindowType IncreaseType = WindowType.Linear,
    int IncreaseFactor = 1,
    WindowType DecreaseType = WindowType.Exponential,
    int DecreaseFactor = 2)
{
    /// <summary>A fixed window of one (serial, supercedent).</summary>
    public static readonly WindowSettings FixedOne = new(1, 1, 1, WindowType.None, 1, WindowType.None, 1);

    /// <summary>No limit (independent).</summary>
    public static readonly WindowSettings Unlimited = new(0, 0, null, WindowType.None, 1, WindowType.None, 1);
}

/// <summary>A project (and optionally one branch) that belongs to a queue.</summary>
/// <param name="Project">Canonical project name.</param>
/// <param name="Branch">The branch for per-branch queues; null for all branches.</param>
public sealed record QueueMember(string Project, string? Branch);

/// <summary>
/// An ordered line of items whose changes are tested together. The order is <see cref="Items"/>; each item's
/// <see cref="QueueItem.ItemAhead"/> says what it is tested on top of (after a failure they differ).
/// </summary>
public sealed record ChangeQueue
{
    /// <summary>Unique queue id.</summary>
    public required string Id { get; init; }

    /// <summary>The queue's name (the <c>queue</c> setting, or the project name).</summary>
    public required string Name { get; init; }

    /// <summary>Projects (and branches) whose changes enter this queue.</summary>
    public ImmutableArray<QueueMember> Members { get; init; } = [];

    /// <summary>Item ids, head first.</summary>
    public ImmutableArray<string> Items { get; init; } = [];

    /// <summary>The current window (0 = unlimited).</summary>
    public int Window { get; init; }

    /// <summary>Window arithmetic.</summary>
    public required WindowSettings WindowSettings { get; init; }

    /// <summary>Cycles may be enqueued as one item.</summary>
    public bool AllowCircularDependencies { get; init; }

    /// <summary>Created on demand; removed when empty.</summary>
    public bool Dynamic { get; init; }
}

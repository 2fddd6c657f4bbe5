using System.Collections.Immutable;
using Gating.Model;

namespace Gating.Executor.Merger;

/// <summary>A project branch in a merge sequence.</summary>
public readonly record struct ProjectBranch(ProjectRef Project, string Branch);

/// <summary>What <see cref="SpeculativeMerger"/> produced.</summary>
/// <param name="Merged">False when an item did not merge.</param>
/// <param name="ConflictItem">The index of the item that did not merge.</param>
/// <param name="ConflictDetail">git's explanation.</param>
/// <param name="Heads">The speculative head of every project branch the items touched.</param>
/// <param name="ItemCommits">The head after each item, by item index.</param>
public sealed record MergeOutcome(
    bool Merged,
    int? ConflictItem,
    string? ConflictDetail,
    ImmutableDictionary<ProjectBranch, string> Heads,
    ImmutableArray<string> ItemCommits);

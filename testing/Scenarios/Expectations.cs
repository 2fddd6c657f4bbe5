using System.Collections.Immutable;
using Gating.Config.Yaml;

namespace Gating.Testing.Scenarios;

/// <summary>One checked statement of an <c>expect</c> step; <see cref="At"/> is its line.</summary>
public abstract record Expectation(SourceLocation At)
{
    /// <summary>The expectation's keyword as written.</summary>
    public abstract string Keyword { get; }
}

/// <summary>A build as an expectation describes it; a null field matches anything.</summary>
/// <param name="Job">Job name.</param>
/// <param name="Change">Change name; "-" means a build of a ref item (no change).</param>
/// <param name="Patchset">Patchset number.</param>
/// <param name="Result">Result.</param>
/// <param name="With">The changes the build was tested with, in order, its own last: "A" or "A,2".</param>
/// <param name="Pipeline">Pipeline.</param>
/// <param name="Ref">The item's ref.</param>
/// <param name="Attempt">Attempt (1 first).</param>
public sealed record BuildPattern(
    string? Job,
    string? Change,
    string? Patchset,
    string? Result,
    ImmutableArray<string>? With,
    string? Pipeline,
    string? Ref,
    int? Attempt);

/// <summary><c>history</c> (ordered), <c>history-unordered</c> (any order): the complete build history.</summary>
public sealed record HistoryExpectation(SourceLocation At, bool Ordered, ImmutableArray<BuildPattern> Builds) : Expectation(At)
{
    /// <inheritdoc />
    public override string Keyword => Ordered ? "history" : "history-unordered";
}

/// <summary><c>history-includes</c>: these builds are in the history (in this relative order).</summary>
public sealed record HistoryIncludesExpectation(SourceLocation At, ImmutableArray<BuildPattern> Builds) : Expectation(At)
{
    /// <inheritdoc />
    public override string Keyword => "history-includes";
}

/// <summary><c>history-count</c>: how many builds completed, optionally only those matching.</summary>
public sealed record HistoryCountExpectation(SourceLocation At, int Count, BuildPattern? Filter) : Expectation(At)
{
    /// <inheritdoc />
    public override string Keyword => "history-count";
}

/// <summary><c>running</c>: exactly these builds are running (any order).</summary>
public sealed record RunningExpectation(SourceLocation At, ImmutableArray<BuildPattern> Builds) : Expectation(At)
{
    /// <inheritdoc />
    public override string Keyword => "running";
}

/// <summary>A queue item as an expectation describes it.</summary>
/// <param name="Changes">Change names of the item (a set); empty for a ref item.</param>
/// <param name="Ref">Ref of a ref item.</param>
/// <param name="Live">Live, or null for any.</param>
/// <param name="Active">Inside the window, or null.</param>
/// <param name="Failing">Failing, or null.</param>
public sealed record ItemPattern(ImmutableArray<string> Changes, string? Ref, bool? Live, bool? Active, bool? Failing);

/// <summary><c>queue</c>: a pipeline's items (all queues, in order, or one named queue) and the window.</summary>
public sealed record QueueExpectation(
    SourceLocation At, string Pipeline, string? QueueName, ImmutableArray<ItemPattern>? Items, int? Window) : Expectation(At)
{
    /// <inheritdoc />
    public override string Keyword => "queue";
}

/// <summary><c>votes</c>: a change's votes; a null value means no vote on that label; <see cref="Exact"/>: no others.</summary>
public sealed record VotesExpectation(SourceLocation At, string Change, ImmutableDictionary<string, int?> Labels, bool Exact) : Expectation(At)
{
    /// <inheritdoc />
    public override string Keyword => "votes";
}

/// <summary><c>merged</c>: the changes Gating merged, in order; <c>merged-unordered</c>: in any order.</summary>
public sealed record MergedExpectation(SourceLocation At, ImmutableArray<string> Changes, bool Ordered = true) : Expectation(At)
{
    /// <inheritdoc />
    public override string Keyword => Ordered ? "merged" : "merged-unordered";
}

/// <summary><c>reports</c>: what was reported on a change.</summary>
/// <param name="At">Where.</param>
/// <param name="Change">Change name.</param>
/// <param name="Pipeline">Only reports of this pipeline, or null.</param>
/// <param name="Count">Number of reports, or null.</param>
/// <param name="Contains">Fragments each found in some report.</param>
/// <param name="Lacks">Fragments found in no report.</param>
/// <param name="Last">Fragments all found in the last report.</param>
public sealed record ReportsExpectation(
    SourceLocation At,
    string Change,
    string? Pipeline,
    int? Count,
    ImmutableArray<string> Contains,
    ImmutableArray<string> Lacks,
    ImmutableArray<string> Last) : Expectation(At)
{
    /// <inheritdoc />
    public override string Keyword => "reports";
}

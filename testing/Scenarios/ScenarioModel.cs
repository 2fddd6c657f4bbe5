using System.Collections.Immutable;
using Gating.Config.Yaml;

namespace Gating.Testing.Scenarios;

/// <summary>A parsed scenario file: where the cluster starts, the changes, and the steps in order.</summary>
/// <param name="File">The file the scenario was read from (for messages).</param>
/// <param name="Name">The scenario's name (the file name when not given).</param>
/// <param name="Setup">The tenant file and repositories the cluster starts with.</param>
/// <param name="Changes">Changes created before the first step, in order (numbers 1, 2, ...).</param>
/// <param name="Steps">The steps in order.</param>
public sealed record Scenario(
    string File,
    string Name,
    ClusterSetup Setup,
    ImmutableArray<ChangeSpec> Changes,
    ImmutableArray<ScenarioStep> Steps);

/// <summary>A change the scenario names.</summary>
/// <param name="Name">The scenario's name for it ("A").</param>
/// <param name="Change">What to create; change references are by name.</param>
/// <param name="Parent">Name of the git parent change.</param>
/// <param name="DependsOn">Names in Depends-On footers (may name changes declared later: numbers are known).</param>
/// <param name="At">Where it is declared.</param>
public sealed record ChangeSpec(string Name, NewChange Change, string? Parent, ImmutableArray<string> DependsOn, SourceLocation At);

/// <summary>One step of a scenario; <see cref="At"/> is where it is written.</summary>
public abstract record ScenarioStep(SourceLocation At)
{
    /// <summary>The step's keyword as written in the file.</summary>
    public abstract string Keyword { get; }
}

/// <summary><c>upload</c>: send patchset-created for the change's current patchset.</summary>
public sealed record UploadStep(SourceLocation At, string Change) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => "upload";
}

/// <summary><c>new-patchset</c>: upload a new patchset (optionally other files) and send patchset-created.</summary>
public sealed record NewPatchsetStep(SourceLocation At, string Change, ImmutableDictionary<string, string?>? Files) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => "new-patchset";
}

/// <summary><c>approve</c>: votes in order, one comment-added event each.</summary>
public sealed record ApproveStep(SourceLocation At, string Change, ImmutableArray<KeyValuePair<string, int>> Votes, string? By) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => "approve";
}

/// <summary><c>comment</c> / <c>recheck</c>: comment-added with text.</summary>
public sealed record CommentStep(SourceLocation At, string Change, string Text, string? By) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => "comment";
}

/// <summary>What a <see cref="ChangeEventStep"/> does.</summary>
public enum ChangeEventKind
{
    /// <summary>change-abandoned.</summary>
    Abandon,
    /// <summary>change-restored.</summary>
    Restore,
    /// <summary>Merged from outside Gating.</summary>
    Merge,
}

/// <summary><c>abandon</c>, <c>restore</c>, <c>merge</c>.</summary>
public sealed record ChangeEventStep(SourceLocation At, ChangeEventKind Kind, string Change) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => Kind.ToString().ToLowerInvariant();
}

/// <summary><c>ref-update</c>: push to a ref and send ref-updated.</summary>
public sealed record RefUpdateStep(SourceLocation At, string Project, string Ref, ImmutableDictionary<string, string?>? Files) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => "ref-update";
}

/// <summary><c>advance-time</c>: move the fake clock.</summary>
public sealed record AdvanceTimeStep(SourceLocation At, TimeSpan By) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => "advance-time";
}

/// <summary><c>enqueue</c>: admin enqueue of a change or a ref.</summary>
public sealed record EnqueueStep(SourceLocation At, string Pipeline, string? Change, string? Project, string? Ref) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => "enqueue";
}

/// <summary><c>dequeue</c>: admin dequeue.</summary>
public sealed record DequeueStep(SourceLocation At, string Pipeline, string Change) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => "dequeue";
}

/// <summary><c>promote</c>: these changes to the front, in order.</summary>
public sealed record PromoteStep(SourceLocation At, string Pipeline, ImmutableArray<string> Changes) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => "promote";
}

/// <summary><c>reconfigure</c>: replace repository files without events, then reconfigure the tenant.</summary>
public sealed record ReconfigureStep(SourceLocation At, ImmutableArray<RepoFiles> Files) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => "reconfigure";
}

/// <summary><c>outcome</c>: how matching builds end from now on.</summary>
/// <param name="At">Where.</param>
/// <param name="Selector">Which builds; the change still named.</param>
/// <param name="Change">The selector's change name, or null.</param>
/// <param name="Rule">The rule (its selector's change is filled in when run).</param>
public sealed record OutcomeStep(SourceLocation At, BuildSelector Selector, string? Change, BuildOutcomeRule Rule) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => "outcome";
}

/// <summary><c>hold</c> / <c>release</c>.</summary>
public sealed record HoldStep(SourceLocation At, bool Release, BuildSelector Selector, string? Change) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => Release ? "release" : "hold";
}

/// <summary><c>merge-conflict</c>: the merger reports a conflict for merges including the change.</summary>
public sealed record MergeConflictStep(SourceLocation At, string Change, bool Conflict) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => "merge-conflict";
}

/// <summary><c>node-failure</c>: node requests for a label fail while set.</summary>
public sealed record NodeFailureStep(SourceLocation At, string Label, bool Fail) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => "node-failure";
}

/// <summary><c>create</c>: create a change during the steps (no event).</summary>
public sealed record CreateStep(SourceLocation At, ChangeSpec Spec) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => "create";
}

/// <summary><c>settle</c>: run until quiet.</summary>
public sealed record SettleStep(SourceLocation At) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => "settle";
}

/// <summary><c>expect</c>: checks at this point (after settling unless <see cref="Settle"/> is false).</summary>
public sealed record ExpectStep(SourceLocation At, bool Settle, ImmutableArray<Expectation> Expectations) : ScenarioStep(At)
{
    /// <inheritdoc />
    public override string Keyword => "expect";
}

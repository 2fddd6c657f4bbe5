using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>
/// A speculative merge of <paramref name="Items"/> in order, each on top of the result so far for its project and
/// branch (Zuul's <c>merge</c> merger job).
/// </summary>
/// <param name="Items">The changes, in queue order.</param>
/// <param name="RepoState">A frozen state to start from; projects missing from it start at their current tips.</param>
/// <param name="ConfiguredTime">The time every generated commit carries (the buildset's configured time), so that
/// independent mergers produce the same commit ids.</param>
/// <param name="ExtraFiles">Extra config files to read besides zuul.yaml, zuul.d/, .zuul.yaml, .zuul.d/.</param>
/// <param name="ExtraDirs">Extra config directories to read.</param>
public sealed record MergeRequest(
    ImmutableArray<MergeItem> Items,
    MergeRepoState? RepoState,
    DateTimeOffset ConfiguredTime,
    ImmutableArray<string> ExtraFiles = default,
    ImmutableArray<string> ExtraDirs = default);

/// <summary>Files of one project branch, path -> content.</summary>
public sealed record MergeFiles(
    string Connection,
    string Project,
    string Branch,
    ImmutableSortedDictionary<string, string> Files);

/// <summary>The outcome of a <see cref="MergeRequest"/>.</summary>
/// <param name="Merged">False when an item did not merge (a conflict).</param>
/// <param name="ConflictItem">The index in the request of the item that did not merge.</param>
/// <param name="ConflictDetail">What git said about the conflict.</param>
/// <param name="Commits">The speculative commit per project and branch: <c>connection/project</c> -> branch -> sha.</param>
/// <param name="ItemCommits">The commit each item produced, by item index (empty after a conflict).</param>
/// <param name="RepoState">The state the merge started from (branch tips of every involved project), to freeze for the buildset.</param>
/// <param name="Files">The config files of every item's project and branch after the merge.</param>
public sealed record MergeResult(
    bool Merged,
    int? ConflictItem,
    string? ConflictDetail,
    ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>> Commits,
    ImmutableArray<string> ItemCommits,
    MergeRepoState RepoState,
    ImmutableArray<MergeFiles> Files);

/// <summary>Read files of a branch (Zuul's <c>cat</c>): the config files, plus extra files and dirs.</summary>
public sealed record CatRequest(
    string Connection,
    string Project,
    string Branch,
    ImmutableArray<string> ExtraFiles = default,
    ImmutableArray<string> ExtraDirs = default);

/// <summary>Record the branch (and tag) tips of projects (Zuul's <c>refstate</c>), to freeze for a buildset.</summary>
/// <param name="Projects">The projects.</param>
/// <param name="Branches">When set, only these branches are recorded.</param>
public sealed record RefStateRequest(ImmutableArray<ProjectRef> Projects, ImmutableArray<string> Branches = default);

/// <summary>The files a change touches compared with its branch (Zuul's <c>fileschanges</c>).</summary>
public sealed record FilesChangesRequest(
    string Connection,
    string Project,
    string Branch,
    string Ref,
    string? Commit = null);

using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>
/// Branch tips frozen for a buildset (Zuul's <c>repo_state</c>): connection -> project -> ref -> sha, where ref is
/// a full ref name such as <c>refs/heads/main</c> or <c>refs/tags/1.0</c>. Every build of a buildset restores the
/// same state, so every build sees identical branch tips.
/// </summary>
public sealed record MergeRepoState(
    ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>>> Connections)
{
    /// <summary>The empty state.</summary>
    public static MergeRepoState Empty { get; } = new(ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>>>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>The refs recorded for a project; null when the project is not in the state.</summary>
    public ImmutableSortedDictionary<string, string>? For(ProjectRef project) =>
        Connections.TryGetValue(project.Connection, out var projects) && projects.TryGetValue(project.Project, out var refs) ? refs : null;

    /// <summary>This state with a project's refs replaced.</summary>
    public MergeRepoState With(ProjectRef project, ImmutableSortedDictionary<string, string> refs)
    {
        var projects = Connections.TryGetValue(project.Connection, out var existing)
            ? existing
            : ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>>.Empty.WithComparers(StringComparer.Ordinal);
        return new MergeRepoState(Connections.SetItem(project.Connection, projects.SetItem(project.Project, refs)));
    }

    /// <summary>Every project in the state.</summary>
    public IEnumerable<ProjectRef> Projects =>
        Connections.SelectMany(c => c.Value.Keys.Select(p => new ProjectRef(c.Key, p)));

    /// <summary>This state with every project of <paramref name="other"/> taken from it.</summary>
    public MergeRepoState Merge(MergeRepoState other)
    {
        var result = this;
        foreach (var project in other.Projects)
        {
            result = result.With(project, other.For(project)!);
        }
        return result;
    }

    /// <summary>Value equality over the nested dictionaries (records compare references for collections).</summary>
    public bool SameAs(MergeRepoState other) =>
        Projects.Count() == other.Projects.Count()
        && Projects.All(p => other.For(p) is { } refs && refs.Count == For(p)!.Count && refs.All(kv => For(p)!.TryGetValue(kv.Key, out var sha) && sha == kv.Value));
}

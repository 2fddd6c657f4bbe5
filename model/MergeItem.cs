namespace Gating.Model;

/// <summary>
/// One change (or ref) of a merge sequence, shaped like Zuul's merger item: it is merged on top of the result so
/// far for its project and branch.
/// </summary>
/// <param name="Connection">The connection (source) the project comes from.</param>
/// <param name="Project">The project's name on that connection, e.g. <c>org/project</c>.</param>
/// <param name="Branch">The target branch.</param>
/// <param name="Ref">The ref to fetch the change from (<c>refs/changes/34/1234/2</c>); null for a branch head.</param>
/// <param name="Commit">The commit the ref must point at (Zuul's <c>newrev</c>/patchset sha); null to take what the ref holds.</param>
/// <param name="Mode">How the change is put on top of the speculative base.</param>
/// <param name="Change">The change number, when the item is a change.</param>
/// <param name="Patchset">The patchset, when the item is a change.</param>
public sealed record MergeItem(
    string Connection,
    string Project,
    string Branch,
    string? Ref,
    string? Commit,
    MergeMode Mode,
    string? Change = null,
    string? Patchset = null);

/// <summary>A project on a connection.</summary>
public readonly record struct ProjectRef(string Connection, string Project)
{
    /// <inheritdoc />
    public override string ToString() => $"{Connection}/{Project}";
}

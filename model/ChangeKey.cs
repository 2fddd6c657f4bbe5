namespace Gating.Model;

/// <summary>
/// The stable identity of a change or ref in a review system: it stays the same across patchsets (a Gerrit change
/// number, a GitLab merge request iid, or a ref name for branch and tag items).
/// </summary>
/// <param name="Connection">The connection the change comes from.</param>
/// <param name="Project">The project's canonical name.</param>
/// <param name="Id">Change number (e.g. <c>42</c>) or ref name (e.g. <c>refs/heads/main</c>).</param>
public readonly record struct ChangeKey(string Connection, string Project, string Id)
{
    /// <summary>Zuul-like short text: <c>project~id</c>.</summary>
    public override string ToString() => $"{Project}~{Id}";
}

/// <summary>One version of a change: its key and the patchset (or new revision for refs).</summary>
/// <param name="Key">The change.</param>
/// <param name="Revision">Patchset number, or the ref's new revision.</param>
public readonly record struct ChangeRevision(ChangeKey Key, string Revision)
{
    /// <summary><c>project~id,revision</c>.</summary>
    public override string ToString() => $"{Key},{Revision}";
}

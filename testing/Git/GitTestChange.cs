namespace Gating.Testing.Git;

/// <summary>A change stored in a test repository as a Gerrit-style ref (<c>refs/changes/NN/NNNN/P</c>).</summary>
public sealed record GitTestChange(string Project, string Branch, int Number, int Patchset, string Ref, string Commit)
{
    /// <summary>The Gerrit ref of a change's patchset: <c>refs/changes/&lt;last two digits&gt;/&lt;number&gt;/&lt;patchset&gt;</c>.</summary>
    public static string RefFor(int number, int patchset) =>
        $"refs/changes/{number % 100:00}/{number}/{patchset}";
}

using System.Collections.Immutable;

namespace Gating.Config.Model;

/// <summary>
/// Where a configuration object was defined: the project, branch and file, whether the project is trusted (a
/// config project), and the implied branch matchers that apply to objects without explicit <c>branches</c>.
/// </summary>
/// <param name="Project">Canonical project name as the tenant names it (e.g. <c>openstack/nova</c>).</param>
/// <param name="Branch">Branch the file was read from.</param>
/// <param name="Path">File path relative to the repository root.</param>
/// <param name="Trusted">True for config projects.</param>
/// <param name="ImpliedBranches">Implied branch matchers (exact); empty means "every branch".</param>
/// <param name="ProjectIndex">Position of the project in the tenant's load order (config projects first).</param>
public sealed record SourceContext(
    string Project,
    string Branch,
    string Path,
    bool Trusted,
    ImmutableArray<RegexMatcher> ImpliedBranches,
    int ProjectIndex = 0)
{
    /// <summary>True when implied branch matchers apply (the object only applies to its own branch(es)).</summary>
    public bool HasImpliedBranches => !ImpliedBranches.IsDefaultOrEmpty;
}

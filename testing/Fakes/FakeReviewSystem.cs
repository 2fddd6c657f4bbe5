using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gating.Config.Loading;
using Gating.Model;
using Gating.Scheduler.Sources;

namespace Gating.Testing.Fakes;

/// <summary>
/// A Gerrit-like review system in memory: projects with branches (each a list of commits holding the full file
/// tree), changes with patchsets, votes, Depends-On footers, git parents and topics. It is the scheduler's
/// <see cref="IChangeSource"/> and <see cref="IReporter"/>, the config loader's <see cref="IRepositorySource"/>,
/// and the fake merger's repository. Commit ids are content hashes, so the same script gives the same ids.
/// Events go out through <see cref="EventSink"/> (the connection event queue).
/// </summary>
public sealed partial class FakeReviewSystem : IChangeSource, IReporter, IRepositorySource
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Dictionary<string, List<(string Sha, ImmutableDictionary<string, string> Files)>>> _projects = new(StringComparer.Ordinal);
    private readonly Dictionary<int, FakeChange> _changes = [];
    private readonly Dictionary<int, List<ReportEntry>> _reports = [];
    private readonly HashSet<string> _reportKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SubmitOutcome> _submits = new(StringComparer.Ordinal);
    private readonly List<int> _mergedByGating = [];

    /// <summary>Creates the fake for connection <paramref name="connection"/>.</summary>
    public FakeReviewSystem(string connection, Func<ConnectionEvent, CancellationToken, Task> eventSink)
    {
        Connection = connection;
        EventSink = eventSink;
    }

    /// <inheritdoc/>
    public string Connection { get; }

    /// <summary>Where events go (the connection event queue).</summary>
    public Func<ConnectionEvent, CancellationToken, Task> EventSink { get; }

    /// <summary>The user Gating votes as.</summary>
    public string GatingUser { get; init; } = "zuul";

    /// <summary>Gating's submit also sends change-merged and ref-updated, as Gerrit does.</summary>
    public bool SubmitSendsEvents { get; set; } = true;

    /// <summary>One report on a change.</summary>
    public sealed record ReportEntry(string Pipeline, string Message, ImmutableDictionary<string, int> Votes);

    /// <summary>Changes Gating merged, in order.</summary>
    public IReadOnlyList<int> MergedByGating { get { lock (_gate) { return _mergedByGating.ToList(); } } }

    /// <summary>A change by number.</summary>
    public FakeChange this[int number] { get { lock (_gate) { return _changes[number]; } } }

    /// <summary>Reports on a change, in order.</summary>
    public IReadOnlyList<ReportEntry> ReportsOn(int change)
    {
        lock (_gate)
        {
            return _reports.TryGetValue(change, out var list) ? list.ToList() : [];
        }
    }

    /// <summary>Gating's current votes on a change (latest per label).</summary>
    public ImmutableDictionary<string, int> VotesOn(int change)
    {
        lock (_gate)
        {
            return _changes[change].Approvals.Where(a => a.By == GatingUser).ToImmutableDictionary(a => a.Label, a => a.Value);
        }
    }

    // --- repositories ---

    /// <summary>Creates (or replaces) a branch with one commit holding <paramref name="files"/>.</summary>
    public void SetBranch(string project, string branch, IReadOnlyDictionary<string, string> files)
    {
        lock (_gate)
        {
            var tree = files.ToImmutableDictionary(StringComparer.Ordinal);
            Branches(project)[branch] = [(Sha("init", project, branch, Canonical(tree)), tree)];
        }
    }

    /// <summary>Commits file edits on a branch (null deletes); returns the new commit id.</summary>
    public string Commit(string project, string branch, IReadOnlyDictionary<string, string?> edits, string message)
    {
        lock (_gate)
        {
            var commits = Branches(project).TryGetValue(branch, out var c) ? c : (Branches(project)[branch] = [(Sha("empty", project, branch), ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal))]);
            var (parentSha, parentTree) = commits[^1];
            var tree = Apply(parentTree, edits);
            var sha = Sha(parentSha, message, Canonical(tree));
            commits.Add((sha, tree));
            return sha;
        }
    }

    /// <summary>The tip commit and files of a branch.</summary>
    public (string Sha, ImmutableDictionary<string, string> Files) Tip(string project, string branch)
    {
        lock (_gate)
        {
            return Branches(project).TryGetValue(branch, out var c) ? c[^1] : ("", ImmutableDictionary<string, string>.Empty);
        }
    }

    /// <summary>The project's branches.</summary>
    public ImmutableArray<string> BranchesOf(string project)
    {
        lock (_gate)
        {
            return _projects.TryGetValue(project, out var b) ? OrderBranches(b.Keys) : [];
        }
    }

    /// <inheritdoc/>
    public IProjectRepository? Find(string projectName)
    {
        lock (_gate)
        {
            if (!_projects.TryGetValue(projectName, out var branches))
            {
                return null;
            }
            return new MemoryRepository(OrderBranches(branches.Keys).Select(b => KeyValuePair.Create(b, branches[b][^1].Files)));
        }
    }

    private static ImmutableArray<string> OrderBranches(IEnumerable<string> names) =>
        names.OrderBy(b => b is "master" or "main" ? 0 : 1).ThenBy(b => b, StringComparer.Ordinal).ToImmutableArray();

    private Dictionary<string, List<(string Sha, ImmutableDictionary<string, string> Files)>> Branches(string project)
    {
        if (!_projects.TryGetValue(project, out var branches))
        {
            _projects[project] = branches = new(StringComparer.Ordinal);
        }
        return branches;
    }

    internal static ImmutableDictionary<string, string> Apply(ImmutableDictionary<string, string> tree, IReadOnlyDictionary<string, string?> edits)
    {
        var b = tree.ToBuilder();
        foreach (var (path, content) in edits)
        {
            if (content is null)
            {
                b.Remove(path);
            }
            else
            {
                b[path] = content;
            }
        }
        return b.ToImmutable();
    }

    internal static string Sha(params string[] parts) =>
        Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(string.Join("\n", parts))));

    private static string Canonical(ImmutableDictionary<string, string> tree) =>
        string.Join("\n", tree.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "\0" + f.Value));

    internal static bool IsConfigPath(string path) =>
        path is "zuul.yaml" or ".zuul.yaml" || path.StartsWith("zuul.d/", StringComparison.Ordinal) || path.StartsWith(".zuul.d/", StringComparison.Ordinal);

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);
}

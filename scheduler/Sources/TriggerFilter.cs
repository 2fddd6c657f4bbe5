using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Gating.Config.Yaml;
using Gating.Model;

namespace Gating.Scheduler.Sources;

/// <summary>
/// One entry of a pipeline's Gerrit-style <c>trigger</c> list (reference §2.3): event types, branch and ref
/// regexes, the approvals a comment must carry, comment regexes, and approvals the change must (not) have.
/// </summary>
public sealed record TriggerFilter
{
    /// <summary>The connection the filter belongs to.</summary>
    public required string Connection { get; init; }
    /// <summary>Event types (<see cref="ConnectionEventTypes"/>).</summary>
    public ImmutableArray<string> Events { get; init; } = [];
    /// <summary>Branch regexes (any matches); empty: any.</summary>
    public ImmutableArray<Regex> Branches { get; init; } = [];
    /// <summary>Ref regexes (any matches); empty: any.</summary>
    public ImmutableArray<Regex> Refs { get; init; } = [];
    /// <summary>Comment regexes (any matches); empty: any.</summary>
    public ImmutableArray<Regex> Comments { get; init; } = [];
    /// <summary>Votes the event itself must carry (label, value); all must be present.</summary>
    public ImmutableArray<(string Label, int Value)> Approvals { get; init; } = [];
    /// <summary>Approvals the change must already have.</summary>
    public ImmutableArray<ApprovalRequirement> RequireApprovals { get; init; } = [];
    /// <summary>Approvals the change must not have.</summary>
    public ImmutableArray<ApprovalRequirement> RejectApprovals { get; init; } = [];
    /// <summary>User name regexes.</summary>
    public ImmutableArray<Regex> Usernames { get; init; } = [];

    /// <summary>True when the event (and the change it is about, if any) matches.</summary>
    public bool Matches(ConnectionEvent evt, Change? change)
    {
        if (!string.Equals(evt.Connection, Connection, StringComparison.Ordinal) && evt.Type != ConnectionEventTypes.Timer)
        {
            return false;
        }
        if (!Events.IsEmpty && !Events.Contains(evt.Type))
        {
            return false;
        }
        if (!Branches.IsEmpty && !(evt.Branch is { } b && Branches.Any(r => r.IsMatch(b))))
        {
            return false;
        }
        if (!Refs.IsEmpty && !(evt.Ref is { } gitRef && Refs.Any(r => r.IsMatch(gitRef))))
        {
            return false;
        }
        if (!Comments.IsEmpty && !(evt.Comment is { } c && Comments.Any(r => r.IsMatch(c))))
        {
            return false;
        }
        if (!Usernames.IsEmpty && !(evt.Account is { } u && Usernames.Any(r => r.IsMatch(u))))
        {
            return false;
        }
        foreach (var (label, value) in Approvals)
        {
            if (evt.Approvals is null || !evt.Approvals.TryGetValue(label, out var v) || v != value)
            {
                return false;
            }
        }
        var approvals = change?.Approvals ?? [];
        return RequireApprovals.All(r => r.IsMet(approvals)) && !RejectApprovals.Any(r => r.IsMet(approvals));
    }
}

/// <summary>An approval requirement: the change has a vote on every label with one of its values (by the user, if set).</summary>
/// <param name="Labels">Label -> accepted values.</param>
/// <param name="Username">Voter regex, or null.</param>
public sealed record ApprovalRequirement(ImmutableDictionary<string, ImmutableArray<int>> Labels, Regex? Username)
{
    /// <summary>True when some vote meets every label.</summary>
    public bool IsMet(ImmutableArray<Approval> approvals) =>
        Labels.All(l => approvals.Any(a => a.Label == l.Key && l.Value.Contains(a.Value) && (Username is null || Username.IsMatch(a.By))));
}

/// <summary>A pipeline's <c>require</c> or <c>reject</c> section for one connection.</summary>
public sealed record ChangeRequirement
{
    /// <summary>Approvals.</summary>
    public ImmutableArray<ApprovalRequirement> Approvals { get; init; } = [];
    /// <summary><c>open</c>.</summary>
    public bool? Open { get; init; }
    /// <summary><c>current-patchset</c>.</summary>
    public bool? CurrentPatchset { get; init; }
    /// <summary><c>status</c> (NEW, MERGED, ABANDONED).</summary>
    public ImmutableArray<string> Status { get; init; } = [];

    /// <summary>True when the change meets every part of the section.</summary>
    public bool IsMetBy(Change change)
    {
        if (Open is { } open && (change.Status == ChangeStatus.Open) != open)
        {
            return false;
        }
        if (CurrentPatchset is { } current && change.IsCurrentPatchset != current)
        {
            return false;
        }
        if (!Status.IsEmpty && !Status.Contains(StatusText(change.Status)))
        {
            return false;
        }
        return Approvals.All(a => a.IsMet(change.Approvals));
    }

    /// <summary>True when the change meets some part of the section (how <c>reject</c> applies).</summary>
    public bool AnyMetBy(Change change) =>
        (Open is { } open && (change.Status == ChangeStatus.Open) == open)
        || (CurrentPatchset is { } current && change.IsCurrentPatchset == current)
        || (!Status.IsEmpty && Status.Contains(StatusText(change.Status)))
        || Approvals.Any(a => a.IsMet(change.Approvals));

    private static string StatusText(ChangeStatus status) => status switch
    {
        ChangeStatus.Merged => "MERGED",
        ChangeStatus.Abandoned => "ABANDONED",
        _ => "NEW",
    };
}

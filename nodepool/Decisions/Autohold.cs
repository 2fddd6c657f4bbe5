using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Gating.Model;

namespace Gating.Nodepool.Decisions;

/// <summary>How specific an autohold request is: a ref beats a change, a change beats a whole job.</summary>
public enum AutoholdScope
{
    /// <summary>The request does not match.</summary>
    None = 0,

    /// <summary>ref_filter ".*": any ref of the job.</summary>
    Job = 1,

    /// <summary>ref_filter ".../.*": any patchset of one change.</summary>
    Change = 2,

    /// <summary>Any other ref_filter: particular refs.</summary>
    Ref = 3,
}

/// <summary>
/// Autohold (reference/zuul.md 5.6): which request holds a failed build's nodes, the node and request changes of
/// holding them, of releasing them on the operator's command, and of their expiry.
/// </summary>
public static class Autohold
{
    /// <summary>The build results whose nodes may be held.</summary>
    public static readonly ImmutableHashSet<string> HoldableResults =
        ["FAILURE", "RETRY_LIMIT", "POST_FAILURE", "TIMED_OUT"];

    /// <summary>
    /// The most specific active request matching the build (tenant, canonical project, job, ref by regex), or null.
    /// Ties go to the request with the lowest id. Only failed results are held.
    /// </summary>
    public static NodeHoldRequest? Match(
        IEnumerable<NodeHoldRequest> requests, string tenant, string project, string job, string @ref, string result)
    {
        if (!HoldableResults.Contains(result))
        {
            return null;
        }

        return requests
            .Where(r => r.IsActive && r.Tenant == tenant && r.Project == project && r.Job == job)
            .Select(r => (Request: r, Scope: ScopeOf(r, @ref)))
            .Where(x => x.Scope != AutoholdScope.None)
            .OrderByDescending(x => x.Scope).ThenBy(x => x.Request.Id, StringComparer.Ordinal)
            .Select(x => x.Request)
            .FirstOrDefault();
    }

    /// <summary>How specifically the request matches the ref (None when its filter does not match).</summary>
    public static AutoholdScope ScopeOf(NodeHoldRequest request, string @ref)
    {
        bool matches;
        try
        {
            matches = Regex.IsMatch(@ref, $"^(?:{request.RefFilter})", RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException)
        {
            return AutoholdScope.None; // an invalid filter matches nothing; the API rejects it on creation
        }

        if (!matches)
        {
            return AutoholdScope.None;
        }

        return request.RefFilter switch
        {
            ".*" => AutoholdScope.Job,
            var f when f.EndsWith("/.*", StringComparison.Ordinal) => AutoholdScope.Change,
            _ => AutoholdScope.Ref,
        };
    }

    /// <summary>
    /// Holds the build's nodes for the request: the nodes go to hold with hold_job, the reason and an expiry (the
    /// request's, else <paramref name="defaultExpiration"/>, capped by <paramref name="maxExpiration"/>); the
    /// request counts the build.
    /// </summary>
    public static (NodeHoldRequest Request, ImmutableArray<Node> Nodes) Hold(
        NodeHoldRequest request, string build, IEnumerable<Node> nodes, DateTimeOffset now,
        TimeSpan? defaultExpiration, TimeSpan? maxExpiration)
    {
        var expiration = request.NodeExpiration ?? defaultExpiration;
        if (maxExpiration is { Ticks: > 0 } max && (expiration is null || expiration > max))
        {
            expiration = max;
        }

        var held = nodes.Select(n => n.WithState(NodeState.Hold, now) with
        {
            HoldJob = request.HoldJob,
            Comment = request.Reason,
            HoldExpiration = expiration,
        }).ToImmutableArray();
        var count = request.CurrentCount + 1;
        var updated = request with
        {
            CurrentCount = count,
            Nodes = request.Nodes.Add(new NodeHoldBuild(build, [.. held.Select(n => n.Id)])),
            Expired = count >= request.MaxCount ? now : request.Expired,
        };
        return (updated, held);
    }

    /// <summary>The operator released the request: its held nodes (still in hold) are deleted.</summary>
    public static ImmutableArray<Node> Release(NodeHoldRequest request, IEnumerable<Node> nodes, DateTimeOffset now)
    {
        var ids = request.Nodes.SelectMany(b => b.NodeIds).ToHashSet(StringComparer.Ordinal);
        return [.. nodes.Where(n => ids.Contains(n.Id) && n.State == NodeState.Hold).Select(n => n.WithState(NodeState.Deleting, now))];
    }

    /// <summary>Held nodes whose hold_expiration or the global max-hold-age has passed: to delete.</summary>
    public static ImmutableArray<Node> Expired(IEnumerable<Node> nodes, DateTimeOffset now, TimeSpan? maxHoldAge) =>
        [.. nodes.Where(n => n.State == NodeState.Hold
            && ((n.HoldExpiration is { Ticks: > 0 } e && now - n.StateTime > e) || (maxHoldAge is { Ticks: > 0 } m && now - n.StateTime > m)))];
}

using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>
/// An autohold request (reference/zuul.md 5.6, Zuul's <c>/zuul/hold-requests/&lt;id&gt;</c>): keep the nodes of
/// up to <see cref="MaxCount"/> failed builds of a job, for an operator to inspect, until released or expired.
/// </summary>
/// <param name="Id">The request id.</param>
/// <param name="Tenant">Tenant name.</param>
/// <param name="Project">Canonical project name (e.g. "review.example.org/org/project").</param>
/// <param name="Job">Job name.</param>
/// <param name="RefFilter">Regex the build's ref must match; ".*" for any.</param>
/// <param name="Reason">Why the nodes are held (copied into each node's comment).</param>
public sealed record NodeHoldRequest(string Id, string Tenant, string Project, string Job, string RefFilter, string Reason)
{
    /// <summary>How many failed builds to hold.</summary>
    public int MaxCount { get; init; } = 1;

    /// <summary>How many have been held.</summary>
    public int CurrentCount { get; init; }

    /// <summary>How long held nodes stay held; null for the system default.</summary>
    public TimeSpan? NodeExpiration { get; init; }

    /// <summary>When the request stopped taking nodes (count reached); expiry of its nodes counts from here.</summary>
    public DateTimeOffset? Expired { get; init; }

    /// <summary>The held builds and their node ids.</summary>
    public ImmutableArray<NodeHoldBuild> Nodes { get; init; } = [];

    /// <summary>True while the request still takes nodes.</summary>
    public bool IsActive => CurrentCount < MaxCount;

    /// <summary>The node's <c>hold_job</c> value: "&lt;tenant&gt; &lt;project&gt; &lt;job&gt; &lt;ref filter&gt;".</summary>
    public string HoldJob => $"{Tenant} {Project} {Job} {RefFilter}";
}

/// <summary>The nodes held for one build.</summary>
/// <param name="Build">The build uuid.</param>
/// <param name="NodeIds">The held node ids.</param>
public sealed record NodeHoldBuild(string Build, ImmutableArray<string> NodeIds);

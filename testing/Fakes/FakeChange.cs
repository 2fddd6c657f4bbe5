using System.Collections.Immutable;
using Gating.Model;

namespace Gating.Testing.Fakes;

/// <summary>One patchset of a fake change.</summary>
/// <param name="Number">1-based patchset number.</param>
/// <param name="Files">Files the patchset writes (null deletes).</param>
/// <param name="ParentChange">The change (and its patchset) this patchset is based on, or null (the branch tip).</param>
/// <param name="Commit">A content-derived commit id.</param>
public sealed record FakePatchset(int Number, ImmutableDictionary<string, string?> Files, (int Change, int Patchset)? ParentChange, string Commit);

/// <summary>A review (Gerrit-like) change kept by <see cref="FakeReviewSystem"/>; mutated only under its lock.</summary>
public sealed class FakeChange
{
    internal FakeChange(int number, string project, string branch, string subject, string? topic, ImmutableArray<int> dependsOn)
    {
        Number = number;
        Project = project;
        Branch = branch;
        Subject = subject;
        Topic = topic;
        DependsOn = dependsOn;
    }

    /// <summary>The change number.</summary>
    public int Number { get; }
    /// <summary>The project.</summary>
    public string Project { get; }
    /// <summary>The target branch.</summary>
    public string Branch { get; }
    /// <summary>The subject.</summary>
    public string Subject { get; }
    /// <summary>The topic.</summary>
    public string? Topic { get; internal set; }
    /// <summary>Changes named in Depends-On footers.</summary>
    public ImmutableArray<int> DependsOn { get; internal set; }
    /// <summary>Open, merged or abandoned.</summary>
    public ChangeStatus Status { get; internal set; } = ChangeStatus.Open;
    /// <summary>Patchsets, first to latest.</summary>
    public List<FakePatchset> Patchsets { get; } = [];
    /// <summary>Current votes (latest per label and user), on the current patchset.</summary>
    public List<Approval> Approvals { get; } = [];
    /// <summary>The current patchset.</summary>
    public FakePatchset Current => Patchsets[^1];
    /// <summary>Gerrit's ref of the current patchset.</summary>
    public string Ref => RefFor(Number, Current.Number);

    /// <summary><c>refs/changes/NN/N/P</c>.</summary>
    public static string RefFor(int number, int patchset) => $"refs/changes/{number % 100:00}/{number}/{patchset}";
}

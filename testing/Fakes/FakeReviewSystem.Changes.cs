using System.Collections.Immutable;
using Gating.Model;
using Gating.Scheduler.Sources;

namespace Gating.Testing.Fakes;

public sealed partial class FakeReviewSystem
{
    private int _nextNumber = 1;

    /// <summary>Creates a change with its first patchset; sends nothing.</summary>
    public int CreateChange(string project, string branch, string? subject, IReadOnlyDictionary<string, string?>? files,
        int? parent, ImmutableArray<int> dependsOn, string? topic)
    {
        lock (_gate)
        {
            var number = _nextNumber++;
            var change = new FakeChange(number, project, branch, subject ?? $"Change {number}", topic, dependsOn.IsDefault ? [] : dependsOn);
            _changes[number] = change;
            var edits = files?.ToImmutableDictionary(StringComparer.Ordinal)
                ?? ImmutableDictionary<string, string?>.Empty.WithComparers(StringComparer.Ordinal).Add($"{project.Replace('/', '_')}-{number}.txt", $"change {number}\n");
            AddPatchset(change, edits, parent is { } p ? (p, _changes[p].Current.Number) : null);
            return number;
        }
    }

    /// <summary>Adds a patchset (same files unless given) and sends patchset-created.</summary>
    public async Task NewPatchsetAsync(int number, IReadOnlyDictionary<string, string?>? files, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var change = _changes[number];
            var edits = files?.ToImmutableDictionary(StringComparer.Ordinal) ?? change.Current.Files;
            AddPatchset(change, edits, change.Current.ParentChange);
            change.Approvals.Clear();
        }
        await SendPatchsetCreatedAsync(number, cancellationToken);
    }

    /// <summary>Sends patchset-created for the current patchset.</summary>
    public Task SendPatchsetCreatedAsync(int number, CancellationToken cancellationToken)
    {
        var c = this[number];
        return EventSink(Event(ConnectionEventTypes.PatchsetCreated, c) with { Account = "owner" }, cancellationToken);
    }

    /// <summary>Votes and sends comment-added with the vote.</summary>
    public Task ApproveAsync(int number, string label, int value, string? by, CancellationToken cancellationToken)
    {
        var user = by ?? "reviewer";
        FakeChange c;
        lock (_gate)
        {
            c = _changes[number];
            c.Approvals.RemoveAll(a => a.Label == label && a.By == user);
            c.Approvals.Add(new Approval(label, value, user));
        }
        return EventSink(Event(ConnectionEventTypes.CommentAdded, c) with
        {
            Comment = $"Patch Set {c.Current.Number}: {label}{(value > 0 ? "+" : "")}{value}",
            Approvals = ImmutableDictionary<string, int>.Empty.Add(label, value),
            Account = user,
        }, cancellationToken);
    }

    /// <summary>Sets a vote without sending any event (a vote Gating learns about with the next event).</summary>
    public void SetApproval(int number, string label, int value, string by)
    {
        lock (_gate)
        {
            var c = _changes[number];
            c.Approvals.RemoveAll(a => a.Label == label && a.By == by);
            c.Approvals.Add(new Approval(label, value, by));
        }
    }

    /// <summary>Sends comment-added with <paramref name="text"/>.</summary>
    public Task CommentAsync(int number, string text, string? by, CancellationToken cancellationToken)
    {
        var c = this[number];
        return EventSink(Event(ConnectionEventTypes.CommentAdded, c) with { Comment = text, Account = by ?? "reviewer" }, cancellationToken);
    }

    /// <summary>Abandons and sends change-abandoned.</summary>
    public Task AbandonAsync(int number, CancellationToken cancellationToken)
    {
        FakeChange c;
        lock (_gate)
        {
            c = _changes[number];
            c.Status = ChangeStatus.Abandoned;
        }
        return EventSink(Event(ConnectionEventTypes.ChangeAbandoned, c), cancellationToken);
    }

    /// <summary>Restores and sends change-restored.</summary>
    public Task RestoreAsync(int number, CancellationToken cancellationToken)
    {
        FakeChange c;
        lock (_gate)
        {
            c = _changes[number];
            c.Status = ChangeStatus.Open;
        }
        return EventSink(Event(ConnectionEventTypes.ChangeRestored, c), cancellationToken);
    }

    /// <summary>Merges without Gating and sends change-merged and ref-updated.</summary>
    public async Task MergeExternallyAsync(int number, CancellationToken cancellationToken)
    {
        var (c, oldSha, newSha) = Merge(number);
        await SendMergedEventsAsync(c, oldSha, newSha, cancellationToken);
    }

    /// <summary>Pushes a commit to a branch (or creates a tag at the branch tip) and sends ref-updated.</summary>
    public Task RefUpdateAsync(string project, string gitRef, IReadOnlyDictionary<string, string?>? files, CancellationToken cancellationToken)
    {
        string oldSha, newSha;
        string? branch = null;
        if (gitRef.StartsWith("refs/heads/", StringComparison.Ordinal))
        {
            branch = gitRef["refs/heads/".Length..];
            oldSha = Tip(project, branch).Sha;
            newSha = Commit(project, branch, files ?? ImmutableDictionary<string, string?>.Empty.Add($"push-{oldSha[..Math.Min(6, oldSha.Length)]}.txt", "push\n"), $"Push to {gitRef}");
        }
        else
        {
            oldSha = new string('0', 40);
            newSha = Tip(project, BranchesOf(project).FirstOrDefault() ?? "master").Sha;
        }
        return EventSink(new ConnectionEvent(ConnectionEventTypes.RefUpdated, Connection, project, branch, Ref: gitRef, OldRev: oldSha, NewRev: newSha, Account: "pusher"), cancellationToken);
    }

    private (FakeChange Change, string Old, string New) Merge(int number)
    {
        lock (_gate)
        {
            var c = _changes[number];
            var old = Tip(c.Project, c.Branch).Sha;
            var sha = old;
            foreach (var edits in EditsOf(c, c.Current))
            {
                sha = Commit(c.Project, c.Branch, edits, c.Subject);
            }
            c.Status = ChangeStatus.Merged;
            return (c, old, sha);
        }
    }

    private Task SendMergedEventsAsync(FakeChange c, string oldSha, string newSha, CancellationToken cancellationToken) =>
        SendAllAsync(cancellationToken,
            Event(ConnectionEventTypes.ChangeMerged, c),
            new ConnectionEvent(ConnectionEventTypes.RefUpdated, Connection, c.Project, c.Branch, Ref: "refs/heads/" + c.Branch, OldRev: oldSha, NewRev: newSha));

    private async Task SendAllAsync(CancellationToken cancellationToken, params ConnectionEvent[] events)
    {
        foreach (var e in events)
        {
            await EventSink(e, cancellationToken);
        }
    }

    /// <summary>
    /// The edits that bring the branch to a patchset: those of its unmerged git parents (oldest first), then its own.
    /// </summary>
    internal List<IReadOnlyDictionary<string, string?>> EditsOf(FakeChange change, FakePatchset patchset)
    {
        lock (_gate)
        {
            var chain = new List<IReadOnlyDictionary<string, string?>> { patchset.Files };
            var parent = patchset.ParentChange;
            while (parent is { } p && _changes.TryGetValue(p.Change, out var pc) && pc.Status != ChangeStatus.Merged)
            {
                var ps = pc.Patchsets[p.Patchset - 1];
                chain.Insert(0, ps.Files);
                parent = ps.ParentChange;
            }
            return chain;
        }
    }

    private void AddPatchset(FakeChange change, ImmutableDictionary<string, string?> edits, (int, int)? parent)
    {
        var number = change.Patchsets.Count + 1;
        var sha = Sha(change.Project, Num(change.Number), Num(number), string.Join("\n", edits.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Key + "=" + e.Value)));
        change.Patchsets.Add(new FakePatchset(number, edits, parent, sha));
    }

    private ConnectionEvent Event(string type, FakeChange c) =>
        new(type, Connection, c.Project, c.Branch, c.Number, Num(c.Current.Number), Ref: c.Ref, NewRev: c.Current.Commit);
}

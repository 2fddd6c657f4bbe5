using System.Collections.Immutable;
using Gating.Model;
using Gating.Scheduler.Sources;

namespace Gating.Testing.Fakes;

public sealed partial class FakeReviewSystem
{
    /// <inheritdoc/>
    public Task<Change?> GetChangeAsync(ChangeKey key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (key.Connection != Connection || !int.TryParse(key.Id, out var n) || !_changes.TryGetValue(n, out var c))
            {
                return Task.FromResult<Change?>(null);
            }
            return Task.FromResult<Change?>(ToChange(c));
        }
    }

    /// <summary>A change as the source reports it now.</summary>
    public Change ToChange(FakeChange c)
    {
        lock (_gate)
        {
            var parents = ImmutableArray.CreateBuilder<ChangeKey>();
            var parent = c.Current.ParentChange;
            while (parent is { } p && _changes.TryGetValue(p.Change, out var pc) && pc.Status != ChangeStatus.Merged)
            {
                parents.Add(KeyOf(pc));
                parent = pc.Patchsets[p.Patchset - 1].ParentChange;
            }
            return new Change
            {
                Key = KeyOf(c),
                Branch = c.Branch,
                Number = c.Number,
                Patchset = Num(c.Current.Number),
                Ref = c.Ref,
                NewRev = c.Current.Commit,
                DependsOn = c.DependsOn.Where(_changes.ContainsKey).Select(d => KeyOf(_changes[d])).ToImmutableArray(),
                GitParents = parents.ToImmutable(),
                Topic = c.Topic,
                Status = c.Status,
                IsCurrentPatchset = true,
                UpdatesConfig = c.Current.Files.Keys.Any(IsConfigPath),
                Approvals = c.Approvals.ToImmutableArray(),
                Url = $"https://review.example.com/{c.Number}",
            };
        }
    }

    private ChangeKey KeyOf(FakeChange c) => new(Connection, c.Project, Num(c.Number));

    /// <inheritdoc/>
    public Task<Change> GetRefAsync(string project, string gitRef, string? oldRev, string? newRev, CancellationToken cancellationToken)
    {
        var branch = gitRef.StartsWith("refs/heads/", StringComparison.Ordinal) ? gitRef["refs/heads/".Length..] : null;
        var tip = Tip(project, branch ?? BranchesOf(project).FirstOrDefault() ?? "master").Sha;
        return Task.FromResult(new Change
        {
            Key = new ChangeKey(Connection, project, gitRef),
            Branch = branch,
            Ref = gitRef,
            OldRev = oldRev ?? new string('0', 40),
            NewRev = newRev ?? tip,
            Status = ChangeStatus.Merged,
        });
    }

    /// <inheritdoc/>
    public Task<ImmutableArray<ChangeKey>> GetNeededByAsync(ChangeKey key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!int.TryParse(key.Id, out var n))
            {
                return Task.FromResult(ImmutableArray<ChangeKey>.Empty);
            }
            var result = _changes.Values
                .Where(c => c.Status == ChangeStatus.Open && (c.DependsOn.Contains(n) || c.Current.ParentChange?.Change == n))
                .OrderBy(c => c.Number)
                .Select(KeyOf)
                .ToImmutableArray();
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc/>
    public Task<ImmutableArray<ChangeKey>> GetTopicChangesAsync(string topic, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_changes.Values.Where(c => c.Status == ChangeStatus.Open && c.Topic == topic).OrderBy(c => c.Number).Select(KeyOf).ToImmutableArray());
        }
    }

    /// <inheritdoc/>
    public Task<ImmutableArray<string>> GetFilesChangedAsync(Change change, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (change.Number is not { } n || !_changes.TryGetValue(n, out var c))
            {
                return Task.FromResult(ImmutableArray<string>.Empty);
            }
            var ps = int.TryParse(change.Patchset, out var p) && p >= 1 && p <= c.Patchsets.Count ? c.Patchsets[p - 1] : c.Current;
            return Task.FromResult(ps.Files.Keys.Order(StringComparer.Ordinal).ToImmutableArray());
        }
    }

    // --- reporter ---

    /// <inheritdoc/>
    public Task ReportAsync(ReportMessage report, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_reportKeys.Add(report.Key))
            {
                return Task.CompletedTask;
            }
            foreach (var key in report.Changes)
            {
                if (!int.TryParse(key.Id, out var n) || !_changes.TryGetValue(n, out var c))
                {
                    continue;
                }
                if (!_reports.TryGetValue(n, out var list))
                {
                    _reports[n] = list = [];
                }
                list.Add(new ReportEntry(report.Pipeline, report.Message, report.Votes));
                foreach (var (label, value) in report.Votes)
                {
                    c.Approvals.RemoveAll(a => a.Label == label && a.By == GatingUser);
                    c.Approvals.Add(new Approval(label, value, GatingUser));
                }
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<SubmitOutcome> SubmitAsync(ImmutableArray<ChangeKey> changes, string key, CancellationToken cancellationToken)
    {
        var merged = new List<(FakeChange, string, string)>();
        SubmitOutcome outcome;
        lock (_gate)
        {
            if (_submits.TryGetValue(key, out var done))
            {
                return done;
            }
            outcome = new SubmitOutcome(true);
            foreach (var k in changes)
            {
                var c = _changes[int.Parse(k.Id, System.Globalization.CultureInfo.InvariantCulture)];
                if (c.Status == ChangeStatus.Merged)
                {
                    continue;
                }
                if (c.Status != ChangeStatus.Open)
                {
                    outcome = new SubmitOutcome(false, $"change {c.Number} is {c.Status}");
                    break;
                }
                merged.Add(Merge(c.Number));
                _mergedByGating.Add(c.Number);
            }
            _submits[key] = outcome;
        }
        if (SubmitSendsEvents)
        {
            foreach (var (c, old, sha) in merged)
            {
                await SendMergedEventsAsync(c, old, sha, cancellationToken);
            }
        }
        return outcome;
    }
}

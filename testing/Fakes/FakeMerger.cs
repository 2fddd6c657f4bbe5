using System.Collections.Immutable;
using System.Globalization;
using Gating.Coordination;
using Gating.Model;
using Gating.Model.Events;
using Gating.Model.Json;
using Gating.Model.Requests;
using Gating.ZooKeeper;

namespace Gating.Testing.Fakes;

/// <summary>
/// A merger worker on the real merger queue that merges on <see cref="FakeReviewSystem"/>'s in-memory trees
/// (cheap and deterministic): each item's edits (with its unmerged git parents) on top of the result so far for
/// its project and branch. A change marked with <see cref="SetConflict"/> fails to merge. The result is a real
/// <see cref="MergeResult"/> with the config files of every item's branch, plus the merge-job-completed event.
/// </summary>
public sealed class FakeMerger
{
    private readonly IZooKeeper _zk;
    private readonly FakeReviewSystem _review;
    private readonly JobRequestQueue<MergeRequestData> _queue;
    private readonly HashSet<int> _conflicts = [];
    private readonly JobWorker _worker = new("fake-merger");

    /// <summary>A merger on <see cref="ZkPaths.MergerQueue"/>.</summary>
    public FakeMerger(IZooKeeper zk, FakeReviewSystem review, TimeProvider time)
    {
        _zk = zk;
        _review = review;
        _queue = new JobRequestQueue<MergeRequestData>(zk, ZkPaths.MergerQueue, time);
    }

    /// <summary>Merges that include <paramref name="change"/> conflict (or stop conflicting).</summary>
    public void SetConflict(int change, bool conflict)
    {
        lock (_conflicts)
        {
            if (conflict)
            {
                _conflicts.Add(change);
            }
            else
            {
                _conflicts.Remove(change);
            }
        }
    }

    /// <summary>
    /// Serves every waiting request; true when any was served. One listing per round; the reads and the running marks
    /// of all the requests go out together, and the completions commit in the order a worker takes the requests.
    /// </summary>
    public async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var taken = await _queue.LockAvailableAsync(null, int.MaxValue, cancellationToken);
        if (taken.Count == 0)
        {
            return false;
        }
        var parameters = await Task.WhenAll(taken.Select(locked => _queue.ReadParamsAsync(locked.Uuid, cancellationToken)));
        await Task.WhenAll(taken.Select(locked => _queue.MarkRunningAsync(locked, _worker, cancellationToken)));
        var completions = new List<JobCompletion<MergeRequestData>>();
        var ensured = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < taken.Count; i++)
        {
            var data = taken[i].Request.Data;
            byte[] result = data.JobType == MergeJobType.Merge ? ModelJson.Serialize(Merge(ModelJson.Deserialize<MergeRequest>(parameters[i]))) : [];
            var also = new List<Op>();
            if (data.Tenant is { } tenant && data.Pipeline is { } pipeline)
            {
                var events = new EventQueue(_zk, ZkPaths.PipelineResultEvents(tenant, pipeline));
                if (ensured.Add(events.Root))
                {
                    await events.EnsureAsync(cancellationToken);
                }
                also.Add(events.PutOp(ResultEventJson.Serialize(new MergeJobCompletedEvent(taken[i].Uuid, data.JobType, data.BuildSetId))));
            }
            completions.Add(new JobCompletion<MergeRequestData>(taken[i], result, also));
        }
        await _queue.CompleteManyAsync(completions, cancellationToken);
        return true;
    }

    /// <summary>The speculative merge of a request's items.</summary>
    public MergeResult Merge(MergeRequest request)
    {
        var heads = new Dictionary<(string Project, string Branch), (string Sha, ImmutableDictionary<string, string> Files)>();
        var state = MergeRepoState.Empty;
        var itemCommits = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < request.Items.Length; i++)
        {
            var item = request.Items[i];
            var key = (item.Project, item.Branch);
            if (!heads.TryGetValue(key, out var head))
            {
                head = _review.Tip(item.Project, item.Branch);
                heads[key] = head;
                state = state.With(new ProjectRef(item.Connection, item.Project),
                    ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal).Add("refs/heads/" + item.Branch, head.Sha));
            }
            if (item.Change is { } number && int.TryParse(number, CultureInfo.InvariantCulture, out var n))
            {
                bool conflict;
                lock (_conflicts)
                {
                    conflict = _conflicts.Contains(n);
                }
                if (conflict)
                {
                    return new MergeResult(false, i, $"change {n} does not merge", ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>>.Empty, [], state, []);
                }
                var change = _review[n];
                var patchset = int.TryParse(item.Patchset, CultureInfo.InvariantCulture, out var p) ? change.Patchsets[p - 1] : change.Current;
                var files = head.Files;
                foreach (var edits in _review.EditsOf(change, patchset))
                {
                    files = FakeReviewSystem.Apply(files, edits);
                }
                head = (FakeReviewSystem.Sha(head.Sha, "merge", patchset.Commit), files);
                heads[key] = head;
            }
            itemCommits.Add(head.Sha);
        }
        var commits = heads.GroupBy(h => $"{request.Items.First(i => i.Project == h.Key.Project).Connection}/{h.Key.Project}")
            .ToImmutableSortedDictionary(g => g.Key, g => g.ToImmutableSortedDictionary(h => h.Key.Branch, h => h.Value.Sha, StringComparer.Ordinal), StringComparer.Ordinal);
        var configFiles = heads.OrderBy(h => h.Key.Project, StringComparer.Ordinal).ThenBy(h => h.Key.Branch, StringComparer.Ordinal)
            .Select(h => new MergeFiles(
                request.Items.First(i => i.Project == h.Key.Project).Connection, h.Key.Project, h.Key.Branch,
                h.Value.Files.Where(f => FakeReviewSystem.IsConfigPath(f.Key)).ToImmutableSortedDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal)))
            .ToImmutableArray();
        return new MergeResult(true, null, null, commits, itemCommits.ToImmutable(), state, configFiles);
    }
}

using System.Collections.Immutable;
using Gating.Config.Model;
using Gating.Model;
using Gating.Model.Events;

namespace Gating.Scheduler.Pipelines;

internal sealed partial class PipelineRun
{
    /// <summary>Apply one event to the working state (reference §3.2 for triggers, §3.12 for results, §9.1 for management).</summary>
    public void Apply(PipelineEvent evt)
    {
        switch (evt)
        {
            case TriggerEvent t:
                Remember(t.Graph.Changes.Values);
                Remember([t.Change]);
                AddChange(t.Change, t.Graph, new EnqueueOptions(evt.EventId, IgnoreRequirements: false, Quiet: false, Originating: true));
                break;
            case EnqueueEvent e:
                Remember(e.Graph.Changes.Values);
                Remember([e.Change]);
                AddChange(e.Change, e.Graph, new EnqueueOptions(evt.EventId, IgnoreRequirements: true, Quiet: false, Originating: true));
                break;
            case NewPatchsetEvent n:
                Remember([n.Change]);
                if (_s.DequeueOnNewPatchset)
                {
                    RemoveWhere(i => i.Changes.Any(c => c.Key == n.Change.Key && c.Revision != n.Change.Revision), BuildResults.Dequeued);
                }
                break;
            case ChangeAbandonedEvent a:
                Remember([a.Change with { Status = ChangeStatus.Abandoned }]);
                RemoveWhere(i => i.Contains(a.Change.Key), BuildResults.Dequeued);
                break;
            case ChangesUpdatedEvent u:
                Remember(u.Changes);
                RefreshItemChanges(u.Changes);
                break;
            case SupercedeEvent s:
                RemoveWhere(i => i.Live && i.Changes.Any(c => c.Version == s.Change), BuildResults.Dequeued);
                break;
            case DequeueEvent d:
                RemoveWhere(i => i.Live && i.Changes.Any(c => c.Version == d.Change), BuildResults.Dequeued);
                break;
            case PromoteEvent p:
                Promote(p.Changes);
                break;
            case MergeCompletedEvent m:
                OnBuildSet(m.BuildSetId, (item, bs) => item with
                {
                    BuildSet = bs with { MergeState = StepState.Complete, RepoState = m.RepoState },
                });
                break;
            case MergeConflictEvent m:
                OnBuildSet(m.BuildSetId, (item, bs) => item with
                {
                    BuildSet = bs with { MergeState = StepState.Complete, UnableToMerge = true },
                });
                break;
            case JobGraphReadyEvent g:
                OnBuildSet(g.BuildSetId, (item, bs) => item with { BuildSet = WithJobGraph(bs, g) });
                break;
            case JobGraphErrorEvent g:
                OnBuildSet(g.BuildSetId, (item, bs) => item with
                {
                    BuildSet = bs with { JobGraphState = StepState.Complete, JobGraph = JobGraph.Empty, ConfigErrors = g.Errors },
                });
                break;
            case NodesProvisionedEvent n:
                OnNodesProvisioned(n);
                break;
            case NodesFailedEvent n:
                OnNodesFailed(n);
                break;
            case BuildStartedEvent b:
                OnBuild(b.BuildId, (_, build) => build with { State = BuildState.Running, StartTime = _now, Url = b.Url ?? build.Url });
                break;
            case BuildPausedEvent b:
                OnBuild(b.BuildId, (_, build) => build with { State = BuildState.Paused, ResultData = b.Data });
                break;
            case BuildCompletedEvent b:
                OnBuildCompleted(b);
                break;
            case SubmitCompletedEvent s:
                OnSubmitCompleted(s);
                break;
            case SemaphoreReleasedEvent:
                _changed = true;
                break;
            default:
                throw new ArgumentException($"Pipeline {_s.Name} cannot handle {evt.GetType().Name}.", nameof(evt));
        }
    }

    private void Remember(IEnumerable<Change> changes)
    {
        foreach (var change in changes)
        {
            if (!_changes.TryGetValue(change.Key, out var known) || !Equals(known, change))
            {
                _changes[change.Key] = change;
            }
        }
    }

    private void RefreshItemChanges(ImmutableArray<Change> updates)
    {
        var byVersion = updates.ToDictionary(c => c.Version);
        foreach (var item in _items.Values.ToList())
        {
            if (item.Changes.Any(c => byVersion.ContainsKey(c.Version)))
            {
                Put(item with { Changes = item.Changes.Select(c => byVersion.GetValueOrDefault(c.Version, c)).ToImmutableArray() });
            }
        }
    }

    private void RemoveWhere(Func<QueueItem, bool> match, string result)
    {
        foreach (var queue in _queues.ToList())
        {
            foreach (var id in queue.Items.ToList())
            {
                if (_items.TryGetValue(id, out var item) && match(item))
                {
                    RemoveItem(item, result);
                }
            }
        }
    }

    private void OnBuildSet(string buildSetId, Func<QueueItem, BuildSet, QueueItem> update)
    {
        // A result for a buildset that a reset replaced is stale and ignored.
        if (ItemByBuildSet(buildSetId) is { } item)
        {
            Put(update(item, item.BuildSet));
        }
    }

    private static BuildSet WithJobGraph(BuildSet bs, JobGraphReadyEvent g)
    {
        var builds = ImmutableDictionary.CreateBuilder<string, Build>(StringComparer.Ordinal);
        var sequence = 0;
        foreach (var (key, _) in g.Graph.Keyed())
        {
            builds[key] = new Build { Id = $"{bs.Id}.{++sequence}", Job = key };
        }
        return bs with
        {
            JobGraphState = StepState.Complete,
            JobGraph = g.ProjectInPipeline ? g.Graph : JobGraph.Empty,
            ProjectNotInPipeline = !g.ProjectInPipeline,
            FailFast = g.FailFast,
            Warnings = g.Warnings.IsDefault ? [] : g.Warnings,
            Builds = builds.ToImmutable(),
        };
    }

    /// <summary>Find a build by id among the current buildsets and replace it.</summary>
    private (QueueItem Item, Build Build)? FindBuild(string buildId)
    {
        // Build ids are "<buildset id>.<n>": find the item by its current buildset, then the build.
        var dot = buildId.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0 || ItemByBuildSet(buildId[..dot]) is not { } item)
        {
            return null;
        }
        foreach (var build in item.BuildSet.Builds.Values)
        {
            if (build.Id == buildId)
            {
                return (item, build);
            }
        }
        return null;
    }

    private QueueItem? ItemByBuildSet(string buildSetId)
    {
        // An index built once per run; entries are verified because buildsets change during the run.
        _buildSetIndex ??= _items.Values.ToDictionary(i => i.BuildSet.Id, i => i.Id, StringComparer.Ordinal);
        if (_buildSetIndex.TryGetValue(buildSetId, out var id) && _items.TryGetValue(id, out var indexed) && indexed.BuildSet.Id == buildSetId)
        {
            return indexed;
        }
        foreach (var item in _items.Values)
        {
            if (item.BuildSet.Id == buildSetId)
            {
                return item;
            }
        }
        return null;
    }

    private (QueueItem Item, Build Build)? FindByNodeRequest(string requestId)
    {
        if (_nodeRequestIndex is null)
        {
            _nodeRequestIndex = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
            foreach (var item in _items.Values)
            {
                foreach (var build in item.BuildSet.Builds.Values)
                {
                    if (build.NodeRequestId is { } rid)
                    {
                        _nodeRequestIndex[rid] = (item.Id, build.Job);
                    }
                }
            }
        }
        if (_nodeRequestIndex.TryGetValue(requestId, out var at) && _items.TryGetValue(at.Item1, out var owner)
            && owner.BuildSet.Builds.TryGetValue(at.Item2, out var b) && b.NodeRequestId == requestId)
        {
            return (owner, b);
        }
        foreach (var item in _items.Values)
        {
            foreach (var build in item.BuildSet.Builds.Values)
            {
                if (build.NodeRequestId == requestId)
                {
                    return (item, build);
                }
            }
        }
        return null;
    }

    private void OnBuild(string buildId, Func<QueueItem, Build, Build> update)
    {
        if (FindBuild(buildId) is { } found && found.Build.State != BuildState.Completed)
        {
            PutBuild(found.Item, update(found.Item, found.Build));
        }
    }

    private QueueItem PutBuild(QueueItem item, Build build)
    {
        var updated = item with { BuildSet = item.BuildSet with { Builds = item.BuildSet.Builds.SetItem(build.Job, build) } };
        Put(updated);
        return updated;
    }

    private void OnNodesProvisioned(NodesProvisionedEvent n)
    {
        if (FindByNodeRequest(n.RequestId) is { } found && found.Build.State == BuildState.NodesRequested)
        {
            PutBuild(found.Item, found.Build with { State = BuildState.NodesReady, Nodes = n.Nodes, NodeRequestId = null });
            return;
        }
        // Nobody wants these nodes any more (the request was for a reset buildset): give them back.
        Emit(new ReturnNodes(n.Nodes));
    }

    private void OnNodesFailed(NodesFailedEvent n)
    {
        if (FindByNodeRequest(n.RequestId) is { } found && found.Build.State == BuildState.NodesRequested)
        {
            var (item, build) = found;
            {
                var job = item.BuildSet.JobGraph!.Find(build.Job)!;
                var choices = NodesetChoices(job.Nodeset);
                if (build.NodesetAlternative + 1 < choices.Length)
                {
                    var next = build.NodesetAlternative + 1;
                    var requestId = NextId("nr");
                    Emit(new RequestNodes(requestId, item.Id, item.BuildSet.Id, job.Name, choices[next], _s.Precedence, RelativePriority(item)));
                    PutBuild(item, build with { NodesetAlternative = next, NodeRequestId = requestId });
                }
                else
                {
                    var released = ReleaseSemaphores(item.BuildSet, build);
                    CompleteBuild(item, released with { NodeRequestId = null }, BuildResults.NodeFailure, null, null, null);
                }
            }
        }
    }

    private void OnSubmitCompleted(SubmitCompletedEvent s)
    {
        if (!_items.TryGetValue(s.ItemId, out var item) || item.Phase != ItemPhase.Submitting)
        {
            return;
        }
        var queue = QueueOf(item);
        if (s.Merged)
        {
            // Changes behind that need these are satisfied by the branch now.
            Remember(item.Changes.Select(c => c with { Status = ChangeStatus.Merged }));
            queue.Meta = queue.Meta with { Window = WindowMath.Increase(queue.Meta.Window, queue.Meta.WindowSettings) };
            Dequeue(item, BuildResults.Success);
            return;
        }
        // Reported success but the code review system did not merge: items behind were tested on top of it.
        Put(item with { BuildSet = item.BuildSet with { FailingReasons = ["it did not merge"] } });
        var message = "This change was not merged by the code review system.\n" + (s.Message is null ? "" : "\n" + s.Message + "\n");
        EmitReport(ReportKind.Failure, "failure", item, message, BuildResults.MergeFailure);
        foreach (var behind in ItemsBehind(item))
        {
            CancelJobs(behind, reset: true);
        }
        queue.Meta = queue.Meta with { Window = WindowMath.Decrease(queue.Meta.Window, queue.Meta.WindowSettings) };
        CountResult(success: false);
        Dequeue(_items[item.Id], BuildResults.MergeFailure);
    }

    private void Promote(ImmutableArray<ChangeKey> keys)
    {
        if (!Dependent)
        {
            return;
        }
        foreach (var key in keys.Reverse())
        {
            var queue = _queues.FirstOrDefault(q => q.Items.Any(id => _items[id].Contains(key)));
            if (queue is null)
            {
                continue;
            }
            _queues.Remove(queue);
            _queues.Insert(0, queue);
        }
        foreach (var queue in _queues)
        {
            var promoted = keys
                .Select(k => queue.Items.FirstOrDefault(id => _items[id].Contains(k)))
                .OfType<string>()
                .Distinct()
                .ToList();
            if (promoted.Count == 0)
            {
                continue;
            }
            var order = promoted.Concat(queue.Items.Where(id => !promoted.Contains(id))).ToList();
            if (order.SequenceEqual(queue.Items))
            {
                continue;
            }
            queue.Items.Clear();
            queue.Items.AddRange(order);
            string? ahead = null;
            var moved = false;
            foreach (var id in order)
            {
                var item = _items[id];
                // Once one item moved, every item behind it has a new speculative state too.
                moved |= item.ItemAhead != ahead;
                if (moved)
                {
                    // Re-ordered items are cancelled and restarted on their new base, quietly.
                    CancelJobs(item, reset: true, recurse: false);
                    Put(_items[id] with { ItemAhead = ahead, Quiet = true, IgnoreRequirements = true });
                }
                ahead = id;
            }
        }
    }
}

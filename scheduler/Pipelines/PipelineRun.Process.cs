using System.Collections.Immutable;
using Gating.Config.Model;
using Gating.Model;

namespace Gating.Scheduler.Pipelines;

internal sealed partial class PipelineRun
{
    /// <summary>One pass over a queue, head first, carrying the nearest non-failing item (reference §3.4).</summary>
    private void ProcessQueue(WorkQueue queue)
    {
        QueueItem? nnfi = null;
        var index = 0;
        foreach (var id in queue.Items.ToList())
        {
            if (!_items.ContainsKey(id))
            {
                continue;
            }
            if (ProcessOneItem(queue, id, index, ref nnfi))
            {
                index++;
            }
        }
    }

    /// <summary>Zuul's <c>_processOneItem</c>. Returns false when the item left the queue.</summary>
    private bool ProcessOneItem(WorkQueue queue, string id, int index, ref QueueItem? nnfi)
    {
        var item = _items[id];
        var ahead = Ahead(item);
        if (ahead is { Live: false })
        {
            ahead = null;
        }
        if (item.Phase == ItemPhase.Submitting)
        {
            nnfi = item;
            return true;
        }

        // 1. Requirements and needed changes, re-checked on every pass.
        var missingRequirements = item.Live && !item.IgnoreRequirements && !item.Changes.All(c => _ctx.MeetsRequirements(Latest(c)));
        var needing = MissingNeed(queue, item);
        if (missingRequirements || needing is not null)
        {
            // The item leaves; everything tested on top of it starts over (Zuul's cancelJobs with prime).
            CancelJobs(item, reset: false, recurse: false);
            foreach (var behind in ItemsBehind(item))
            {
                CancelJobs(behind, reset: true);
            }
            item = _items[id] with { DequeuedNeedingChange = needing, DequeuedMissingRequirements = missingRequirements };
            Put(item);
            if (item.Live)
            {
                ReportItem(item);
            }
            else
            {
                Dequeue(item, BuildResults.Dequeued);
            }
            return false;
        }

        // 2. The window.
        var actionable = WindowMath.IsActionable(queue.Meta.Window, index);
        if (item.Active != actionable)
        {
            item = item with { Active = actionable };
            Put(item);
        }

        var reasons = new List<string>();
        if (item.Live && Dependent && NeededChangeFailing(queue, item))
        {
            // 3. Something this item needs is failing: it will fail too; no point re-basing.
            reasons.Add("a needed change is failing");
            CancelJobs(item, reset: false);
        }
        else
        {
            // 4. The gate reset: something ahead failed, so re-base onto the nearest non-failing item.
            if (ahead?.Id != nnfi?.Id)
            {
                MoveItem(item, nnfi);
                CancelJobs(_items[id], reset: true);
            }
            // 5. Prepare, report start, request nodes and builds.
            if (actionable)
            {
                var ready = Prepare(_items[id]);
                item = _items[id];
                if (ready && item.Live && !item.Quiet && !item.ReportedStart && !_disabled
                    && _s.ReporterActions.Contains("start") && item.BuildSet.JobGraph is { Jobs.Length: > 0 })
                {
                    EmitReport(ReportKind.Start, "start", item, Format(_s.StartMessage, item), null);
                    Put(item with { ReportedStart = true });
                }
                item = _items[id];
                if (item.BuildSet.UnableToMerge)
                {
                    reasons.Add("it has a merge conflict");
                }
                if (!item.BuildSet.ConfigErrors.IsEmpty)
                {
                    reasons.Add("it has an invalid configuration");
                }
                if (ready)
                {
                    RunJobs(item);
                }
            }
        }
        item = _items[id];

        // 6. Failing jobs.
        if (AnyVotingJobFailed(item))
        {
            reasons.Add("at least one job failed");
        }
        // 7. A non-live item that nothing stands behind any more is not needed.
        if (!item.Live && ItemsBehind(item).Count == 0)
        {
            Dequeue(item, BuildResults.Dequeued);
            return false;
        }
        if (!item.BuildSet.FailingReasons.SequenceEqual(reasons))
        {
            item = item with { BuildSet = item.BuildSet with { FailingReasons = [.. reasons] } };
            Put(item);
        }
        // 8-10. Report from the head only; otherwise a healthy item becomes the new base.
        if (ahead is null && item.Live && AllJobsComplete(item))
        {
            ReportItem(item);
            if (_items.TryGetValue(id, out var still) && still.Phase == ItemPhase.Submitting)
            {
                nnfi = still;
                return true;
            }
            return false;
        }
        if (reasons.Count == 0 && item.Live)
        {
            nnfi = item;
        }
        return true;
    }

    /// <summary>A needed change that is neither merged nor in an item ahead: "Change X is needed.".</summary>
    private string? MissingNeed(WorkQueue queue, QueueItem item)
    {
        if (_s.Manager is PipelineManagerKind.Serial or PipelineManagerKind.Supercedent || _s.IgnoreDependencies)
        {
            return null;
        }
        foreach (var change in item.Changes)
        {
            foreach (var need in change.Needs)
            {
                if (item.Contains(need) || !_changes.TryGetValue(need, out var latest) || latest.Status == ChangeStatus.Merged)
                {
                    continue;
                }
                if (!IsAhead(queue, item, need))
                {
                    return $"Change {latest} in project {need.Project} is needed.";
                }
            }
        }
        return null;
    }

    private bool IsAhead(WorkQueue queue, QueueItem item, ChangeKey need)
    {
        foreach (var id in queue.Items)
        {
            if (id == item.Id)
            {
                return false;
            }
            if (_items[id].Contains(need))
            {
                return true;
            }
        }
        return false;
    }

    private bool NeededChangeFailing(WorkQueue queue, QueueItem item)
    {
        if (item.Changes.All(c => c.DependsOn.IsEmpty && c.GitParents.IsEmpty))
        {
            return false;
        }
        foreach (var id in queue.Items)
        {
            if (id == item.Id)
            {
                return false;
            }
            var other = _items[id];
            if (!other.BuildSet.FailingReasons.IsEmpty && item.Changes.Any(c => c.Needs.Any(other.Contains)))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Zuul's <c>moveItem</c>: items behind close up onto this item's old base; it goes behind <paramref name="ahead"/>.</summary>
    private void MoveItem(QueueItem item, QueueItem? ahead)
    {
        foreach (var behind in ItemsBehind(item))
        {
            Put(behind with { ItemAhead = item.ItemAhead });
        }
        Put(_items[item.Id] with { ItemAhead = ahead?.Id });
    }

    /// <summary>Take the item out of its queue; items behind it close up onto its base.</summary>
    private void Dequeue(QueueItem item, string result)
    {
        foreach (var behind in ItemsBehind(item))
        {
            Put(behind with { ItemAhead = item.ItemAhead });
        }
        var queue = QueueOf(item);
        queue.Items.Remove(item.Id);
        _items.Remove(item.Id);
        _changed = true;
        if (item.Live)
        {
            Emit(new ItemDequeued(item.Id, item.BuildSet.Id, item.Changes, result));
        }
    }

    /// <summary>Zuul's <c>removeItem</c>: cancel its builds and those of everything tested on top of it, then dequeue.</summary>
    private void RemoveItem(QueueItem item, string result)
    {
        CancelJobs(item, reset: false, recurse: false);
        foreach (var behind in ItemsBehind(_items[item.Id]))
        {
            CancelJobs(behind, reset: true);
        }
        item = _items[item.Id];
        if (item.Live && item.ReportedStart && _s.ReporterActions.Contains("dequeue") && !_disabled)
        {
            foreach (var (changes, jobs) in ReportsPerChange(item))
            {
                Emit(new Report(ReportKind.Dequeue, "dequeue", item.Id, changes, _s.DequeueMessage + "\n\n" + jobs, BuildResults.Dequeued));
            }
        }
        Dequeue(item, result);
    }

    /// <summary>
    /// Zuul's <c>cancelJobs</c>: cancel every unfinished build; with <paramref name="reset"/> start a new buildset (the
    /// speculative state changed). Items tested on top of this one are cancelled too.
    /// </summary>
    private void CancelJobs(QueueItem item, bool reset, bool recurse = true)
    {
        item = _items[item.Id];
        var bs = item.BuildSet;
        var builds = bs.Builds;
        foreach (var build in bs.Builds.Values)
        {
            if (build.State is BuildState.Completed)
            {
                continue;
            }
            if (build.State == BuildState.Waiting && !reset)
            {
                continue;
            }
            var released = CancelBuildActions(bs, build);
            builds = builds.SetItem(build.Job, released with { State = BuildState.Completed, Result = BuildResults.Canceled, EndTime = _now });
        }
        if (reset)
        {
            if (bs.MergeState != StepState.New || bs.Builds.Count > 0)
            {
                Put(item with { BuildSet = NewBuildSet(), ReportedStart = item.ReportedStart });
            }
        }
        else if (!ReferenceEquals(builds, bs.Builds))
        {
            Put(item with { BuildSet = bs with { Builds = builds } });
        }
        if (recurse)
        {
            foreach (var behind in ItemsBehind(_items[item.Id]))
            {
                CancelJobs(behind, reset);
            }
        }
    }

    /// <summary>Actions that stop one build wherever it stands; returns it with its semaphores released.</summary>
    private Build CancelBuildActions(BuildSet bs, Build build)
    {
        switch (build.State)
        {
            case BuildState.NodesRequested when build.NodeRequestId is not null:
                Emit(new CancelNodeRequest(build.NodeRequestId));
                break;
            case BuildState.NodesReady:
                Emit(new ReturnNodes(build.Nodes));
                break;
            case BuildState.Requested or BuildState.Running or BuildState.Paused:
                Emit(new CancelBuild(build.Id));
                break;
        }
        return ReleaseSemaphores(bs, build) with { NodeRequestId = null };
    }

    private static bool AnyVotingJobFailed(QueueItem item)
    {
        var graph = item.BuildSet.JobGraph;
        if (graph is null)
        {
            return false;
        }
        foreach (var (key, job) in graph.Keyed())
        {
            if (job.Voting && item.BuildSet.BuildOf(key) is { Failed: true })
            {
                return true;
            }
        }
        return false;
    }

    private static bool AllJobsComplete(QueueItem item)
    {
        var bs = item.BuildSet;
        if (bs.UnableToMerge || !bs.ConfigErrors.IsEmpty || item.DequeuedNeedingChange is not null)
        {
            return true;
        }
        if (bs.JobGraph is null)
        {
            return false;
        }
        foreach (var build in bs.Builds.Values)
        {
            if (build.State != BuildState.Completed)
            {
                return false;
            }
        }
        return true;
    }

    private int RelativePriority(QueueItem item)
    {
        var index = QueueOf(item).Items.IndexOf(item.Id);
        // Quantized like Zuul so small moves do not rewrite every request: exact below 10, tens below 100, hundreds beyond.
        return index < 10 ? index : index < 100 ? index / 10 * 10 : index / 100 * 100;
    }
}

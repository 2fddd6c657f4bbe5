using System.Collections.Immutable;
using Gating.Config.Model;
using Gating.Model;
using Gating.Model.Events;

namespace Gating.Scheduler.Pipelines;

internal sealed partial class PipelineRun
{
    private sealed record EnqueueOptions(string? EventId, bool IgnoreRequirements, bool Quiet, bool Originating, bool Live = true);

    /// <summary>
    /// Zuul's <c>addChange</c> (reference §3.2): find the queue, the cycle, check requirements and readiness, enqueue
    /// the changes ahead, then the item; refusals of the originating change are reported. Returns false if refused.
    /// </summary>
    private bool AddChange(Change change, ChangeGraph graph, EnqueueOptions options, WorkQueue? into = null, int depth = 0)
    {
        if (depth > 100)
        {
            return Refuse(change, options, $"Change {change} has too many dependencies to enqueue.");
        }
        // 1. Already enqueued (live, or non-live in the queue we are filling).
        if (FindItem(change.Version, live: options.Live, into) is not null)
        {
            return true;
        }
        var graphChanges = (IReadOnlyDictionary<ChangeKey, Change>)graph.Changes;
        var followDependencies = _s.Manager is PipelineManagerKind.Dependent or PipelineManagerKind.Independent && !_s.IgnoreDependencies;
        var cycle = followDependencies ? DependencyCycles.CycleOf(change, graphChanges) : [change];
        var projectQueue = _ctx.QueueOf(change.Key.Project);

        // 6. Requirements, for every member of the cycle.
        if (!options.IgnoreRequirements && options.Live && !cycle.All(_ctx.MeetsRequirements))
        {
            return false;
        }
        // 7. Readiness of a dependent pipeline: every member must be open, current and mergeable.
        if (Dependent && cycle.Any(c => c.Status != ChangeStatus.Open || !c.IsCurrentPatchset || !c.CanMerge))
        {
            return false;
        }
        // 8. Cycles need the queue's permission.
        if (cycle.Length > 1 && !(projectQueue?.AllowCircularDependencies ?? false))
        {
            return Refuse(change, options,
                $"Dependency cycle detected and project {change.Key.Project} doesn't allow circular dependencies");
        }
        // 9. max-changes-per-pipeline counts every change of every item.
        if (_s.MaxChangesPerPipeline is { } max && _items.Values.Sum(i => i.Changes.Length) + cycle.Length > max)
        {
            return Refuse(change, options,
                $"This change could not be enqueued: the pipeline {_s.Name} would exceed its limit of {max} changes.");
        }
        var queue = into ?? FindOrCreateQueue(change, projectQueue);

        // 10. Changes ahead.
        if (followDependencies)
        {
            var inCycle = cycle.Select(c => c.Key).ToHashSet();
            foreach (var need in cycle.SelectMany(c => c.Needs).Distinct().Where(k => !inCycle.Contains(k)))
            {
                var needed = graph.Changes.GetValueOrDefault(need) ?? _changes.GetValueOrDefault(need);
                if (needed is null || needed.Status == ChangeStatus.Merged)
                {
                    continue;
                }
                if (!EnqueueAhead(change, needed, graph, queue, options, depth))
                {
                    RemoveEmptyQueue(queue);
                    return false;
                }
            }
        }

        // 11. The item itself, behind the current tail.
        var item = new QueueItem
        {
            Id = NextId("item"),
            QueueId = queue.Meta.Id,
            Changes = cycle,
            Live = options.Live,
            Quiet = options.Quiet || !options.Live,
            IgnoreRequirements = options.IgnoreRequirements,
            ItemAhead = queue.Items.Count > 0 ? queue.Items[^1] : null,
            EnqueueTime = _now,
            BuildSet = NewBuildSet(),
            EventId = options.EventId,
        };
        queue.Items.Add(item.Id);
        _items[item.Id] = item;
        _changed = true;
        AddMember(queue, change);

        // 12. Reports, changes behind, supercedes, supercedent pruning.
        if (item.Live)
        {
            if (!item.Quiet && _s.ReporterActions.Contains("enqueue") && !_disabled)
            {
                EmitReport(ReportKind.Enqueue, "enqueue", item, Format(_s.EnqueueMessage, item), null);
            }
            foreach (var pipeline in _s.Supercedes)
            {
                foreach (var c in item.Changes)
                {
                    Emit(new SupercedeIn(pipeline, c.Version));
                }
            }
            if (Dependent)
            {
                EnqueueBehind(item, graph, options, depth);
            }
            if (_s.Manager == PipelineManagerKind.Supercedent)
            {
                PruneSuperceded(queue);
            }
        }
        return true;
    }

    private bool EnqueueAhead(Change change, Change needed, ChangeGraph graph, WorkQueue queue, EnqueueOptions options, int depth)
    {
        if (!Dependent)
        {
            // Independent: the needed change stands ahead as a non-live item of this queue (no mergeability check).
            if (queue.Items.Any(id => _items[id].Contains(needed.Key)))
            {
                return true;
            }
            return AddChange(needed, graph, options with { Live = false, Originating = false, Quiet = true }, queue, depth + 1);
        }
        var neededQueue = _ctx.QueueOf(needed.Key.Project);
        if (!SameQueue(change, _ctx.QueueOf(change.Key.Project), needed, neededQueue))
        {
            return Refuse(change, options,
                $"Change {change} in project {change.Key.Project} does not share a change queue with {needed} in project {needed.Key.Project}");
        }
        if (queue.Items.Any(id => _items[id].Live && _items[id].Changes.Any(c => c.Version == needed.Version)))
        {
            return true;
        }
        if (!needed.IsCurrentPatchset || !needed.CanMerge || needed.Status != ChangeStatus.Open)
        {
            return Refuse(change, options, $"Change {needed} in project {needed.Key.Project} can not be merged");
        }
        if (!AddChange(needed, graph, options with { Originating = false }, queue, depth + 1))
        {
            return Refuse(change, options, $"Change {needed} in project {needed.Key.Project} is needed but can not be enqueued");
        }
        return true;
    }

    private void EnqueueBehind(QueueItem item, ChangeGraph graph, EnqueueOptions options, int depth)
    {
        foreach (var key in graph.NeededBy)
        {
            if (graph.Changes.TryGetValue(key, out var behind) && behind.Needs.Any(item.Contains))
            {
                AddChange(behind, graph, options with { Originating = false, IgnoreRequirements = false }, null, depth + 1);
            }
        }
    }

    private bool Refuse(Change change, EnqueueOptions options, string message)
    {
        if (options.Originating && _s.ReporterActions.Contains("failure") && !_disabled)
        {
            Emit(new Report(ReportKind.Failure, "failure", null, [change], message + Footer(), BuildResults.Failure));
        }
        return false;
    }

    private QueueItem? FindItem(ChangeRevision version, bool live, WorkQueue? within)
    {
        IEnumerable<string> ids = within is not null ? within.Items : _items.Keys;
        foreach (var id in ids)
        {
            var item = _items[id];
            if ((item.Live || !live) && item.Changes.Any(c => c.Version == version))
            {
                return item;
            }
        }
        return null;
    }

    private static bool SameQueue(Change a, ProjectQueue? qa, Change b, ProjectQueue? qb)
    {
        var nameA = qa?.Name ?? a.Key.Project;
        var nameB = qb?.Name ?? b.Key.Project;
        if (nameA != nameB)
        {
            return false;
        }
        return !(qa?.PerBranch ?? false) || a.Branch == b.Branch;
    }

    /// <summary>The queue for a change (reference §3.3): shared or per-branch by <c>queue</c>, dynamic otherwise.</summary>
    private WorkQueue FindOrCreateQueue(Change change, ProjectQueue? projectQueue)
    {
        string name;
        string? branch = null;
        var window = _s.Window;
        switch (_s.Manager)
        {
            case PipelineManagerKind.Independent:
                return AddQueue(change.Key.Project, change.Key.Project, null, WindowSettings.Unlimited, dynamic: true, projectQueue);
            case PipelineManagerKind.Supercedent:
                name = $"{change.Key.Project}@{change.Branch ?? change.Ref}";
                window = WindowSettings.FixedOne;
                break;
            default:
                name = projectQueue?.Name ?? change.Key.Project;
                branch = projectQueue?.PerBranch == true ? change.Branch : null;
                if (_s.Manager == PipelineManagerKind.Serial)
                {
                    window = WindowSettings.FixedOne;
                }
                break;
        }
        var existing = _queues.FirstOrDefault(q => q.Meta.Name == name && (branch is null || q.Meta.Members.Any(m => m.Branch == branch)));
        return existing ?? AddQueue(name, change.Key.Project, branch, window, dynamic: projectQueue is null, projectQueue);
    }

    private WorkQueue AddQueue(string name, string project, string? branch, WindowSettings window, bool dynamic, ProjectQueue? projectQueue)
    {
        var queue = new WorkQueue(new ChangeQueue
        {
            Id = NextId("q"),
            Name = name,
            Members = [new QueueMember(project, branch)],
            Window = window.Initial,
            WindowSettings = window,
            AllowCircularDependencies = projectQueue?.AllowCircularDependencies ?? false,
            Dynamic = dynamic,
        });
        _queues.Add(queue);
        return queue;
    }

    private static void AddMember(WorkQueue queue, Change change)
    {
        var branch = queue.Meta.Members.FirstOrDefault()?.Branch;
        if (!queue.Meta.Members.Any(m => m.Project == change.Key.Project))
        {
            queue.Meta = queue.Meta with { Members = queue.Meta.Members.Add(new QueueMember(change.Key.Project, branch)) };
        }
    }

    private void RemoveEmptyQueue(WorkQueue queue)
    {
        if (queue.Items.Count == 0 && queue.Meta.Dynamic)
        {
            _queues.Remove(queue);
        }
    }

    /// <summary>Supercedent: keep the running head and the newest item, drop the rest.</summary>
    private void PruneSuperceded(WorkQueue queue)
    {
        while (queue.Items.Count > 2)
        {
            RemoveItem(_items[queue.Items[1]], BuildResults.Dequeued);
        }
    }
}

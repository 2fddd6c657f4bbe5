using System.Collections.Immutable;
using Gating.Model;
using Gating.Model.Events;

namespace Gating.Scheduler.Pipelines;

internal sealed partial class PipelineRun
{
    /// <summary>Zuul's <c>prepareItem</c> (reference §3.5): merge, then layout and job graph. True when jobs may run.</summary>
    private bool Prepare(QueueItem item)
    {
        var bs = item.BuildSet;
        var ahead = Ahead(item);
        if (ahead is { Live: true } && !ahead.BuildSet.ConfigErrors.IsEmpty && bs.ConfigErrors.IsEmpty)
        {
            Put(item with
            {
                BuildSet = bs with
                {
                    ConfigErrors = ["This change depends on a change with an invalid configuration."],
                    JobGraphState = StepState.Complete,
                    JobGraph = JobGraph.Empty,
                },
            });
            return true;
        }
        if (!item.Live)
        {
            return false;
        }
        switch (bs.MergeState)
        {
            case StepState.New:
                var changes = SpeculativeChanges(item);
                Emit(new RequestMerge(item.Id, bs.Id, changes, _s.Precedence));
                Put(item with
                {
                    BuildSet = bs with { MergeState = StepState.Pending, MergerChanges = changes.Select(c => c.Version).ToImmutableArray() },
                });
                return false;
            case StepState.Pending:
                return false;
        }
        if (bs.UnableToMerge)
        {
            return true;
        }
        switch (bs.JobGraphState)
        {
            case StepState.New:
                Emit(new FreezeJobGraph(item.Id, bs.Id, SpeculativeChanges(item), bs.RepoState, item.Changes.Length));
                Put(item with { BuildSet = bs with { JobGraphState = StepState.Pending } });
                return false;
            case StepState.Pending:
                return false;
        }
        return true;
    }

    /// <summary>Request nodes and builds for every job whose dependencies allow it; skip what can no longer run.</summary>
    private void RunJobs(QueueItem item)
    {
        var graph = item.BuildSet.JobGraph;
        if (graph is null || graph.Jobs.IsEmpty || HeldByItemsAhead(item))
        {
            return;
        }
        bool progress;
        do
        {
            progress = false;
            foreach (var (key, job) in graph.Keyed())
            {
                item = _items[item.Id];
                var build = item.BuildSet.Builds[key];
                switch (build.State)
                {
                    case BuildState.Waiting:
                        progress |= StartIfReady(item, job, build);
                        break;
                    case BuildState.NodesReady:
                        if (TryAcquireSemaphores(item.BuildSet, job, resourcesFirst: true, ref build))
                        {
                            StartBuild(item, job, build);
                            progress = true;
                        }
                        break;
                    case BuildState.Paused when !build.ResumeRequested && ChildrenDone(item.BuildSet, graph, key):
                        Emit(new ResumeBuild(build.Id));
                        PutBuild(item, build with { ResumeRequested = true });
                        break;
                }
            }
        }
        while (progress);
    }

    private bool StartIfReady(QueueItem item, FrozenJob job, Build build)
    {
        var graph = item.BuildSet.JobGraph!;
        var (status, reason) = DependencyStatus(item.BuildSet, graph, build.Job);
        if (status == JobStatus.Skip)
        {
            CompleteBuild(item, build, BuildResults.Skipped, null, reason, null);
            return true;
        }
        if (status == JobStatus.Wait)
        {
            return false;
        }
        var (waitForProviders, requirementFailure) = RequirementStatus(item, job);
        if (requirementFailure is not null)
        {
            CompleteBuild(item, build, BuildResults.Failure, null, requirementFailure, null);
            return true;
        }
        if (waitForProviders || !TryAcquireSemaphores(item.BuildSet, job, resourcesFirst: false, ref build))
        {
            return false;
        }
        var choices = NodesetChoices(job.Nodeset);
        if (choices[0].NodeCount == 0)
        {
            if (!TryAcquireSemaphores(item.BuildSet, job, resourcesFirst: true, ref build))
            {
                PutBuild(item, build);
                return false;
            }
            StartBuild(item, job, build);
            return true;
        }
        var requestId = NextId("nr");
        Emit(new RequestNodes(requestId, item.Id, item.BuildSet.Id, job.Name, choices[0], _s.Precedence, RelativePriority(item)));
        PutBuild(item, build with { State = BuildState.NodesRequested, NodeRequestId = requestId, NodesetAlternative = 0 });
        return true;
    }

    private void StartBuild(QueueItem item, FrozenJob job, Build build)
    {
        var bs = item.BuildSet;
        var attempt = bs.Tries.GetValueOrDefault(build.Job) + 1;
        Emit(new StartBuild(build.Id, item.Id, bs.Id, job, bs.MergerChanges, bs.RepoState, build.Nodes, ParentData(bs, build.Job),
            _s.Precedence, attempt, BuildChange(item, build.Job), build.Job == job.Name ? null : build.Job));
        var updated = PutBuild(item, build with { State = BuildState.Requested, RequestTime = _now });
        Put(updated with { BuildSet = updated.BuildSet with { Tries = updated.BuildSet.Tries.SetItem(build.Job, attempt) } });
    }

    /// <summary>
    /// The change a build is for (its <c>zuul.change</c>): in a cycle item the first change the job runs for, in
    /// item order (reference 3.7: a deduplicated build names one of its changes); null for an item of one change.
    /// </summary>
    private static ChangeKey? BuildChange(QueueItem item, string key)
    {
        var changes = item.BuildSet.JobGraph?.ChangesOf(key) ?? [];
        return item.Changes.Length > 1 && !changes.IsEmpty ? changes[0] : null;
    }

    private enum JobStatus { Ready, Wait, Skip }

    /// <summary>The start rule of reference §2.8: parents succeeded or paused; a failed parent or a skipped hard parent skips.</summary>
    private static (JobStatus Status, string? Reason) DependencyStatus(BuildSet bs, JobGraph graph, string job)
    {
        var name = graph.Find(job)?.Name ?? job;
        var wait = false;
        foreach (var edge in graph.Edges)
        {
            if (edge.Job != job || !bs.Builds.TryGetValue(edge.DependsOn, out var parent))
            {
                continue;
            }
            if (parent.State == BuildState.Paused)
            {
                if (ExcludedByChildJobs(parent, name))
                {
                    return (JobStatus.Skip, $"Skipped due to child_jobs return value in job {graph.Find(parent.Job)?.Name ?? parent.Job}");
                }
                continue;
            }
            if (parent.State != BuildState.Completed)
            {
                wait = true;
                continue;
            }
            if (parent.Result == BuildResults.Skipped)
            {
                if (!edge.Soft)
                {
                    return (JobStatus.Skip, null);
                }
                continue;
            }
            if (parent.Result != BuildResults.Success)
            {
                return (JobStatus.Skip, null);
            }
            if (ExcludedByChildJobs(parent, name))
            {
                return (JobStatus.Skip, $"Skipped due to child_jobs return value in job {graph.Find(parent.Job)?.Name ?? parent.Job}");
            }
        }
        return (wait ? JobStatus.Wait : JobStatus.Ready, null);
    }

    /// <summary><c>zuul_return: {zuul: {child_jobs: [...]}}</c> selects which direct children run.</summary>
    private static bool ExcludedByChildJobs(Build parent, string child) =>
        parent.ResultData["zuul"] is VarMap zuul && zuul["child_jobs"] is VarList list
        && !list.Items.Any(v => v is VarScalar s && s.Text == child);

    private static bool ChildrenDone(BuildSet bs, JobGraph graph, string job)
    {
        foreach (var edge in graph.Edges)
        {
            if (edge.DependsOn == job && bs.Builds.TryGetValue(edge.Job, out var child) && child.State != BuildState.Completed)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Returned data of every ancestor, merged in graph order (later jobs win), without the <c>zuul</c> key.</summary>
    private static VarMap ParentData(BuildSet bs, string job)
    {
        var graph = bs.JobGraph!;
        var ancestors = graph.TransitiveDependenciesOf(job);
        if (ancestors.IsEmpty)
        {
            return VarMap.Empty;
        }
        var data = VarMap.Empty;
        foreach (var (candidate, _) in graph.Keyed())
        {
            if (ancestors.Contains(candidate) && bs.Builds.TryGetValue(candidate, out var b) && !b.ResultData.IsEmpty)
            {
                data = data.DeepMerge(new VarMap(b.ResultData.Entries.Where(e => e.Key != "zuul").ToImmutableArray()));
            }
        }
        return data;
    }

    private bool HeldByItemsAhead(QueueItem item)
    {
        if (!Dependent || Ahead(item) is not { } ahead)
        {
            return false;
        }
        // Memoised per pass along the item-ahead chain, so a long gate stays linear.
        if (_holding.TryGetValue(ahead.Id, out var held))
        {
            return held;
        }
        held = IsHoldingFollowingChanges(ahead) || HeldByItemsAhead(ahead);
        _holding[ahead.Id] = held;
        return held;
    }

    private static bool IsHoldingFollowingChanges(QueueItem item)
    {
        foreach (var (key, job) in item.BuildSet.JobGraph?.Keyed() ?? [])
        {
            if (job.HoldFollowingChanges && item.BuildSet.BuildOf(key) is not { State: BuildState.Completed, Result: BuildResults.Success })
            {
                return true;
            }
        }
        return false;
    }

    private static ImmutableArray<FrozenNodeset> NodesetChoices(FrozenNodeset nodeset) =>
        nodeset.Alternatives.IsDefaultOrEmpty ? [nodeset] : nodeset.Alternatives;

    private void OnBuildCompleted(BuildCompletedEvent e)
    {
        if (FindBuild(e.BuildId) is not { } found || found.Build.State == BuildState.Completed)
        {
            return;
        }
        var (item, build) = found;
        var bs = item.BuildSet;
        var job = bs.JobGraph!.Find(build.Job)!;
        if (build.Nodes.Length > 0)
        {
            Emit(new ReturnNodes(build.Nodes));
        }
        build = ReleaseSemaphores(bs, build) with { Nodes = [] };
        var retry = e.Result is null or BuildResults.Aborted or BuildResults.Retry;
        if (retry && bs.Tries.GetValueOrDefault(build.Job) < job.Attempts)
        {
            // Transient: record the attempt and start over; children of a retried (paused) build start over too.
            var retried = build with { State = BuildState.Completed, Result = BuildResults.Retry, EndTime = _now, ResultData = e.Data ?? build.ResultData };
            var fresh = new Build { Id = $"{bs.Id}.{NextId("r")}", Job = build.Job };
            var builds = bs.Builds.SetItem(build.Job, fresh);
            foreach (var child in bs.JobGraph!.Edges.Where(x => x.DependsOn == build.Job).Select(x => x.Job))
            {
                var cb = builds[child];
                if (cb.State != BuildState.Waiting)
                {
                    CancelBuildActions(bs, cb);
                    builds = builds.SetItem(child, new Build { Id = $"{bs.Id}.{NextId("r")}", Job = child });
                }
            }
            Put(item with { BuildSet = bs with { Builds = builds, RetryBuilds = bs.RetryBuilds.Add(retried) } });
            return;
        }
        var result = retry ? BuildResults.RetryLimit : e.Result!;
        item = CompleteBuild(item, build, result, e.Data, e.ErrorDetail, e.Url);
        if (item.BuildSet.FailFast && job.Voting && item.BuildSet.Builds[build.Job].Failed)
        {
            FailFast(item);
        }
    }

    private QueueItem CompleteBuild(QueueItem item, Build build, string result, VarMap? data, string? errorDetail, string? url)
    {
        return PutBuild(item, build with
        {
            State = BuildState.Completed,
            Result = result,
            EndTime = _now,
            ResultData = data ?? build.ResultData,
            ErrorDetail = errorDetail ?? build.ErrorDetail,
            Url = url ?? build.Url,
        });
    }

    /// <summary>fail-fast: the first voting failure cancels what runs and skips what has not started.</summary>
    private void FailFast(QueueItem item)
    {
        var bs = item.BuildSet;
        var builds = bs.Builds;
        foreach (var build in bs.Builds.Values)
        {
            if (build.State == BuildState.Completed)
            {
                continue;
            }
            var result = build.State == BuildState.Waiting ? BuildResults.Skipped : BuildResults.Canceled;
            var released = CancelBuildActions(bs, build);
            builds = builds.SetItem(build.Job, released with { State = BuildState.Completed, Result = result, EndTime = _now });
        }
        Put(item with { BuildSet = bs with { Builds = builds } });
    }

    /// <summary>All-or-nothing acquisition of the job's semaphores of one kind, sorted by name (reference §9.3).</summary>
    private bool TryAcquireSemaphores(BuildSet bs, FrozenJob job, bool resourcesFirst, ref Build build)
    {
        var held = build.Semaphores;
        var wanted = job.Semaphores.Where(s => s.ResourcesFirst == resourcesFirst && !held.Contains(s.Name))
            .Select(s => s.Name).Order(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0)
        {
            return true;
        }
        foreach (var name in wanted)
        {
            var holders = _semaphores.GetValueOrDefault(name)?.Count ?? 0;
            if (holders + _ctx.ExternalSemaphoreHolders(name) >= _ctx.SemaphoreMax(name))
            {
                return false;
            }
        }
        foreach (var name in wanted)
        {
            if (!_semaphores.TryGetValue(name, out var list))
            {
                _semaphores[name] = list = [];
            }
            list.Add(new SemaphoreHolder(bs.Id, build.Job));
        }
        build = build with { Semaphores = build.Semaphores.AddRange(wanted) };
        _changed = true;
        return true;
    }

    private Build ReleaseSemaphores(BuildSet bs, Build build)
    {
        foreach (var name in build.Semaphores)
        {
            if (_semaphores.TryGetValue(name, out var list) && list.Remove(new SemaphoreHolder(bs.Id, build.Job)))
            {
                Emit(new SemaphoreReleased(name));
            }
        }
        return build.Semaphores.IsEmpty ? build : build with { Semaphores = [] };
    }
}

using Gating.Model;

namespace Gating.Scheduler.Pipelines;

internal sealed partial class PipelineRun
{
    /// <summary>
    /// Reference §3.8: a job that <c>requires</c> an artifact waits until every job providing it in the items ahead
    /// that this item depends on (Depends-On or git parent, followed through those items) has succeeded or paused;
    /// a providing build that ended otherwise fails the requiring job. A providing item that already left (merged)
    /// no longer holds the job back; its artifacts would come from the database, which the core does not read.
    /// </summary>
    /// <returns>Wait: not yet; Failure: the reason the job fails without running; neither: it may start.</returns>
    private (bool Wait, string? Failure) RequirementStatus(QueueItem item, FrozenJob job)
    {
        if (job.Requires.IsDefaultOrEmpty)
        {
            return (false, null);
        }
        var needs = item.Changes.SelectMany(c => c.Needs).ToHashSet();
        var wait = false;
        for (var ahead = Ahead(item); ahead is not null && needs.Count > 0; ahead = Ahead(ahead))
        {
            if (!ahead.Changes.Any(c => needs.Contains(c.Key)))
            {
                continue;
            }
            needs.UnionWith(ahead.Changes.SelectMany(c => c.Needs));
            if (ahead.BuildSet.JobGraph is not { } graph)
            {
                // Its job graph is not frozen yet: whether it provides anything is not known.
                wait = true;
                continue;
            }
            foreach (var (key, provider) in graph.Keyed().Where(j => !j.Job.Provides.IsDefaultOrEmpty && j.Job.Provides.Any(job.Requires.Contains)))
            {
                if (!ahead.BuildSet.Builds.TryGetValue(key, out var build) || build.State == BuildState.Paused)
                {
                    continue;
                }
                if (build.State != BuildState.Completed)
                {
                    wait = true;
                }
                else if (build.Result != BuildResults.Success)
                {
                    return (false, $"Requirements not met: {provider.Name} providing {string.Join(", ", provider.Provides.Where(job.Requires.Contains))} ended {build.Result}");
                }
            }
        }
        return (wait, null);
    }
}

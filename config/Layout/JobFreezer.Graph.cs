using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Model;

namespace Gating.Config.Freezing;

/// <summary>The job graph of one item (reference §2.7 step 8 and §2.8).</summary>
public sealed partial class JobFreezer
{
    /// <summary>
    /// Freezes every job of the project's pipeline for the request, drops jobs whose files do not match unless a
    /// matching job hard-depends on them, and links dependencies: a missing hard dependency and a cycle are
    /// errors (<c>missing-dependency</c>, <c>job-cycle</c>); a missing soft dependency is ignored.
    /// </summary>
    public JobGraphResult FreezeJobGraph(FreezeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = ImmutableArray.CreateBuilder<ConfigError>();
        var debug = ImmutableArray.CreateBuilder<string>();
        if (request.Pipeline is not { } pipelineName || !Layout.Pipelines.ContainsKey(pipelineName))
        {
            errors.Add(new ConfigError(ConfigErrorCodes.UnknownPipeline, ConfigSeverity.Error,
                $"pipeline '{request.Pipeline}' is not defined", "", 0, 0, request.Project, request.Branch));
            return new JobGraphResult(JobGraph.Empty, errors.ToImmutable(), [], new ProjectPipelineSettings(false, false, false));
        }
        var ppc = ProjectPipeline.Resolve(Layout, request.Project, request.Branch, pipelineName);
        var frozen = new List<(FrozenJob Job, bool Matches, ProjectPipelineJob Listing)>();
        foreach (var name in ppc.JobNames)
        {
            var listings = ppc.Variants[name];
            var result = FreezeOne(name, request, ppc, listings, strict: false);
            errors.AddRange(result.Errors);
            debug.AddRange(result.Debug);
            if (result.Job is { } job)
            {
                frozen.Add((job, result.MatchesFiles, listings[0]));
            }
        }

        // removeNonMatchingJobs: a job whose files did not match still runs when a running job hard-depends on it.
        var byName = frozen.ToDictionary(f => f.Job.Name, StringComparer.Ordinal);
        var running = new HashSet<string>(frozen.Where(f => f.Matches).Select(f => f.Job.Name), StringComparer.Ordinal);
        var pending = new Queue<string>(running);
        while (pending.Count > 0)
        {
            foreach (var dependency in byName[pending.Dequeue()].Job.Dependencies)
            {
                if (!dependency.Soft && byName.ContainsKey(dependency.Name) && running.Add(dependency.Name))
                {
                    pending.Enqueue(dependency.Name);
                }
            }
        }
        var kept = frozen.Where(f => running.Contains(f.Job.Name)).ToList();
        foreach (var dropped in frozen.Where(f => !running.Contains(f.Job.Name)))
        {
            debug.Add($"job '{dropped.Job.Name}' did not match files");
        }

        var edges = ImmutableArray.CreateBuilder<JobGraphEdge>();
        foreach (var (job, _, listing) in kept)
        {
            foreach (var dependency in job.Dependencies)
            {
                if (running.Contains(dependency.Name))
                {
                    edges.Add(new JobGraphEdge(job.Name, dependency.Name, dependency.Soft));
                }
                else if (!dependency.Soft)
                {
                    errors.Add(ListingError(FreezeErrorCodes.MissingDependency, listing, request,
                        $"job '{job.Name}' depends on '{dependency.Name}' which was not run"));
                }
                else if (Layout.VariantsOf(dependency.Name).IsEmpty)
                {
                    // A soft dependency may be absent from the graph, but it must name a job that exists.
                    errors.Add(ListingError(ConfigErrorCodes.UnknownJob, listing, request,
                        $"job '{job.Name}' has a soft dependency on '{dependency.Name}', which is not defined"));
                }
            }
        }
        var graph = new JobGraph([.. kept.Select(k => k.Job)], edges.ToImmutable());
        foreach (var cycle in FindCycles(graph))
        {
            var listing = kept.First(k => k.Job.Name == cycle[0]).Listing;
            errors.Add(ListingError(FreezeErrorCodes.JobCycle, listing, request,
                $"dependency cycle detected in job '{cycle[0]}': {string.Join(" -> ", cycle)}"));
        }
        // Jobs sharing a broken parent report the same problem once.
        return new JobGraphResult(graph, [.. errors.Distinct()], [.. debug.Distinct()], ppc.Settings);
    }

    private static ConfigError ListingError(string code, ProjectPipelineJob listing, FreezeRequest request, string message)
    {
        var at = listing.Entry.Location;
        return new ConfigError(code, ConfigSeverity.Error, message, at.File, at.Line, at.Column, listing.Source.Project, listing.Source.Branch);
    }

    /// <summary>Each elementary cycle found by depth-first search, once, as a closed path (first name repeated last).</summary>
    internal static List<ImmutableArray<string>> FindCycles(JobGraph graph)
    {
        var cycles = new List<ImmutableArray<string>>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on stack, 2 = done
        var stack = new List<string>();
        var outgoing = graph.Edges.GroupBy(e => e.Job).ToDictionary(g => g.Key, g => g.Select(e => e.DependsOn).ToList(), StringComparer.Ordinal);

        void Visit(string name)
        {
            state[name] = 1;
            stack.Add(name);
            foreach (var next in outgoing.GetValueOrDefault(name, []))
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    var start = stack.IndexOf(next);
                    cycles.Add([.. stack.Skip(start), next]);
                }
                else if (state.GetValueOrDefault(next) == 0)
                {
                    Visit(next);
                }
            }
            stack.RemoveAt(stack.Count - 1);
            state[name] = 2;
        }

        foreach (var job in graph.Jobs)
        {
            if (state.GetValueOrDefault(job.Name) == 0)
            {
                Visit(job.Name);
            }
        }
        return cycles;
    }
}

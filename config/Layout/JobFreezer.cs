using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Config.Model;

namespace Gating.Config.Freezing;

/// <summary>
/// Freezes jobs and job graphs against one <see cref="FreezeLayout"/> (reference §2.7 and §2.8). Pure: no I/O,
/// no clock; every problem is a <see cref="ConfigError"/> in the result. Safe to share between threads.
/// </summary>
public sealed partial class JobFreezer(FreezeLayout layout)
{
    /// <summary>The layout frozen against.</summary>
    public FreezeLayout Layout { get; } = layout;

    /// <summary>
    /// Freezes one job for <paramref name="request"/>. With a pipeline the job must be listed in the project's
    /// pipeline and its project-pipeline variants apply; without one only the layout variants and project vars do.
    /// File matchers apply only when <see cref="FreezeRequest.Files"/> is given.
    /// </summary>
    public FreezeJobResult FreezeJob(string jobName, FreezeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = ImmutableArray.CreateBuilder<ConfigError>();
        if (request.Pipeline is { } pipelineName && !Layout.Pipelines.ContainsKey(pipelineName))
        {
            errors.Add(new ConfigError(ConfigErrorCodes.UnknownPipeline, ConfigSeverity.Error, $"pipeline '{pipelineName}' is not defined", "", 0, 0, request.Project, request.Branch));
            return new FreezeJobResult(null, false, errors.ToImmutable(), []);
        }
        var ppc = ProjectPipeline.Resolve(Layout, request.Project, request.Branch, request.Pipeline);
        ImmutableArray<ProjectPipelineJob>? listings = null;
        if (request.Pipeline is not null)
        {
            if (!ppc.Variants.TryGetValue(jobName, out var found))
            {
                errors.Add(new ConfigError(ConfigErrorCodes.UnknownJob, ConfigSeverity.Error,
                    $"job '{jobName}' is not in the {request.Pipeline} pipeline of project {request.Project} on branch {request.Branch}", "", 0, 0, request.Project, request.Branch));
                return new FreezeJobResult(null, false, errors.ToImmutable(), []);
            }
            listings = found;
        }
        return FreezeOne(jobName, request, ppc, listings, strict: true);
    }

    /// <summary>
    /// Reference §2.7 steps 2 to 7 for one job: collect the matching variants along the inheritance chain, apply
    /// them base first, then project vars, the default Ansible version and the project-pipeline variants, then
    /// match files and check what Zuul checks before running. <paramref name="strict"/> turns "no variant
    /// matches the branch" into an error (freeze-job) instead of a debug note (job graph, as Zuul).
    /// </summary>
    internal FreezeJobResult FreezeOne(string jobName, FreezeRequest request, ProjectPipeline ppc, ImmutableArray<ProjectPipelineJob>? listings, bool strict)
    {
        var errors = ImmutableArray.CreateBuilder<ConfigError>();
        var debug = ImmutableArray.CreateBuilder<string>();
        var matchingListings = listings?.Where(l => BranchMatching.Matches(l.AsVariant().EffectiveBranchMatchers, request.Branch)).ToImmutableArray();
        var overrideCheckout = matchingListings?.Select(l => l.Entry.Variant?.OverrideCheckout ?? l.Entry.Variant?.OverrideBranch).LastOrDefault(o => o is not null);
        var firstListing = listings?.FirstOrDefault();

        var collected = Collect(jobName, request.Branch, overrideCheckout, firstListing);
        if (collected.Error is { } collectError)
        {
            if (collectError.IsError || strict)
            {
                errors.Add(collectError with { Severity = ConfigSeverity.Error });
            }
            debug.Add(collectError.Message);
            return new FreezeJobResult(null, false, errors.ToImmutable(), debug.ToImmutable());
        }

        var builder = new FrozenJobBuilder(Layout, jobName);
        foreach (var variant in collected.Variants)
        {
            if (!builder.Apply(variant, projectPipeline: false))
            {
                break;
            }
        }
        if (!builder.Failed)
        {
            builder.ApplyProjectVars(ppc.Vars);
            builder.ApplyDefaultAnsibleVersion(Layout.Tenant.DefaultAnsibleVersion);
            if (matchingListings is { } matching)
            {
                if (matching.IsEmpty)
                {
                    var message = $"no project-pipeline variant of job '{jobName}' matches branch {request.Branch}";
                    debug.Add(message);
                    if (strict)
                    {
                        errors.Add(new ConfigError(FreezeErrorCodes.NoMatchingVariant, ConfigSeverity.Error, message,
                            firstListing!.Entry.Location.File, firstListing.Entry.Location.Line, firstListing.Entry.Location.Column, request.Project, request.Branch));
                    }
                    return new FreezeJobResult(null, false, errors.ToImmutable(), debug.ToImmutable());
                }
                foreach (var listing in matching)
                {
                    if (!builder.Apply(listing.AsVariant(), projectPipeline: true))
                    {
                        break;
                    }
                }
            }
        }
        var matchesFiles = builder.MatchesFiles(request.Project, request.Files);
        if (!builder.Failed)
        {
            Layout.Pipelines.TryGetValue(request.Pipeline ?? "", out var pipeline);
            builder.CheckRunnable(request.Project, pipeline, firstListing?.Entry, firstListing?.Source);
        }
        var job = builder.Build();
        errors.AddRange(builder.Errors);
        return new FreezeJobResult(errors.Any(e => e.IsError) ? null : job, matchesFiles, errors.ToImmutable(), debug.ToImmutable());
    }

    private readonly record struct Collected(ImmutableArray<JobConfig> Variants, ConfigError? Error);

    /// <summary>
    /// Zuul's <c>collectJobs</c>: at each name take every variant (in load order) whose branch matcher matches,
    /// recursing first to its parent (the tenant default parent for the first variant without one, none for a
    /// base job). The result is base first. An unknown name, a level with no matching variant, and an
    /// inheritance cycle are reported; only the cycle and unknown names are errors, "no match" is a note.
    /// </summary>
    private Collected Collect(string jobName, string branch, string? overrideCheckout, ProjectPipelineJob? listing)
    {
        var jobs = new List<JobConfig>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var stack = new List<string>();
        var error = CollectLevel(jobName, branch, overrideCheckout, listing, visited, stack, jobs, null);
        return new Collected([.. jobs], error);
    }

    private ConfigError? CollectLevel(string name, string branch, string? overrideCheckout, ProjectPipelineJob? listing,
        HashSet<string> visited, List<string> stack, List<JobConfig> jobs, JobConfig? child)
    {
        visited.Add(name);
        stack.Add(name);
        var variants = Layout.VariantsOf(name);
        if (variants.IsEmpty)
        {
            return child is null
                ? ErrorAt(ConfigErrorCodes.UnknownJob, listing?.Entry.Location, listing?.Source, $"job '{name}' is not defined")
                : ErrorAt(ConfigErrorCodes.UnknownParent, child.ParentLocation ?? child.Location, child.Source, $"job '{child.Name}' has parent '{name}', which is not defined");
        }
        var matched = false;
        foreach (var variant in variants)
        {
            if (!BranchMatching.Matches(variant.EffectiveBranchMatchers, BranchFor(variant, branch, overrideCheckout)))
            {
                continue;
            }
            var parent = variant.IsBaseJob ? null : variant.Parent ?? (jobs.Count == 0 ? Layout.Tenant.DefaultParent : null);
            if (parent is not null)
            {
                if (stack.Contains(parent))
                {
                    return ErrorAt(FreezeErrorCodes.InheritanceCycle, variant.ParentLocation ?? variant.Location, variant.Source,
                        $"inheritance cycle: {string.Join(" -> ", stack)} -> {parent}");
                }
                if (!visited.Contains(parent) && CollectLevel(parent, branch, overrideCheckout, listing, visited, stack, jobs, variant) is { } error)
                {
                    return error;
                }
            }
            if (!jobs.Contains(variant))
            {
                jobs.Add(variant);
            }
            matched = true;
        }
        stack.RemoveAt(stack.Count - 1);
        if (!matched)
        {
            var message = child is null
                ? $"no variant of job '{name}' matches branch {branch}"
                : $"no variant of '{name}', the parent of '{child.Name}', matches branch {branch}";
            var at = child?.ParentLocation ?? child?.Location ?? listing?.Entry.Location;
            return ErrorAt(FreezeErrorCodes.NoMatchingVariant, at, child?.Source ?? listing?.Source, message) with { Severity = ConfigSeverity.Warning };
        }
        return null;
    }

    // override-checkout replaces the item's branch for variants of projects that have that branch.
    private string BranchFor(JobConfig variant, string branch, string? overrideCheckout) =>
        overrideCheckout is not null && Layout.HasBranch(variant.Source.Project, overrideCheckout)
            ? overrideCheckout
            : branch;

    private static ConfigError ErrorAt(string code, Yaml.SourceLocation? at, SourceContext? source, string message)
    {
        var location = at ?? default;
        return new ConfigError(code, ConfigSeverity.Error, message, location.File ?? "", location.Line, location.Column, source?.Project, source?.Branch);
    }
}

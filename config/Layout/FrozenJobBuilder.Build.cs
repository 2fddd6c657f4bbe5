using System.Collections.Immutable;
using Gating.Config.Model;
using Gating.Model;

namespace Gating.Config.Freezing;

/// <summary>Project variables, the final checks and the immutable result (reference §2.7 steps 4 to 7).</summary>
internal sealed partial class FrozenJobBuilder
{
    /// <summary>Project and template variables go under the job's: job variables win.</summary>
    public void ApplyProjectVars(VarMap projectVars) => _vars = projectVars.DeepMerge(_vars);

    /// <summary>The tenant's default Ansible version when no variant set one.</summary>
    public void ApplyDefaultAnsibleVersion(string? version) => _ansibleVersion ??= version;

    /// <summary>
    /// Whether the change's files select this job: <c>files</c> must match one file (when set) and not every
    /// file may be irrelevant. A ref without a file list, or a change that edits this job's own configuration or
    /// playbooks (with <c>match-on-config-updates</c>), always matches.
    /// </summary>
    public bool MatchesFiles(string project, ImmutableArray<string>? files)
    {
        if (files is not { } changed || changed.IsEmpty)
        {
            return true;
        }
        var matches = (_files.IsDefaultOrEmpty || changed.Any(f => _files.Any(m => m.Matches(f)))) &&
            (_irrelevantFiles.IsDefaultOrEmpty || !changed.All(f => _irrelevantFiles.Any(m => m.Matches(f))));
        return matches || (_matchOnConfigUpdates && UpdatesJobConfig(project, changed));
    }

    // Without speculative layouts the config files of the job's own variants, its playbooks and include-vars
    // files in the item's project stand for "the change updates this job's configuration".
    private bool UpdatesJobConfig(string project, ImmutableArray<string> changed)
    {
        foreach (var file in changed)
        {
            if (_configFiles.Contains((project, file)) ||
                AllPlaybooks().Any(p => p.Project == project && p.Path == file) ||
                _includeVars.Any(i => (i.Project ?? project) == project && i.Name == file))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The errors Zuul defers until the job would really run (§2.7 step 7): abstract, allowed-projects,
    /// post-review in a pre-review pipeline, no run playbook. <paramref name="at"/> is where the job was listed.
    /// </summary>
    public void CheckRunnable(string project, PipelineConfig? pipeline, ProjectJobEntry? at, SourceContext? atSource)
    {
        var location = at?.Location ?? default;
        var source = atSource ?? new SourceContext(project, "", location.File, false, []);
        if (_abstract)
        {
            Error(FreezeErrorCodes.AbstractJob, location, source, $"job '{_jobName}' is abstract and may not be directly run");
        }
        if (!_ignoreAllowedProjects && _allowedProjects is { } allowed && !allowed.Contains(project))
        {
            Error(FreezeErrorCodes.ProjectNotAllowed, location, source, $"project {project} is not allowed to run job '{_jobName}'");
        }
        if (pipeline is not null && !pipeline.PostReview && _postReview)
        {
            Error(FreezeErrorCodes.PostReviewJob, location, source,
                $"pre-review pipeline '{pipeline.Name}' does not allow post-review job '{_jobName}'");
        }
        if (_run.Count == 0)
        {
            Error(FreezeErrorCodes.NoRunPlaybook, location, source, $"job '{_jobName}' does not specify a run playbook");
        }
    }

    /// <summary>Resolves the nodeset, checks the tenant limits and semaphores, and returns the frozen job.</summary>
    public FrozenJob? Build()
    {
        if (Failed)
        {
            return null;
        }
        var nodeset = ResolveNodeset();
        CheckTimeouts();
        CheckSemaphores();
        if (Failed)
        {
            return null;
        }
        return new FrozenJob
        {
            Name = _jobName,
            InheritancePath = [.. _path],
            Description = _description,
            Voting = _voting,
            HoldFollowingChanges = _holdFollowingChanges,
            SuccessMessage = _successMessage,
            FailureMessage = _failureMessage,
            SuccessUrl = _successUrl,
            FailureUrl = _failureUrl,
            Timeout = _timeout,
            PreTimeout = _preTimeout,
            PostTimeout = _postTimeout,
            Attempts = _attempts,
            Nodeset = nodeset,
            PreRun = [.. _preRun],
            Run = [.. _run],
            PostRun = [.. _postRun],
            CleanupRun = [.. _cleanupRun],
            Vars = _vars,
            ExtraVars = _extraVars,
            HostVars = _hostVars,
            GroupVars = _groupVars,
            IncludeVars = [.. _includeVars],
            RequiredProjects = [.. _requiredProjects],
            OverrideCheckout = _overrideCheckout,
            Dependencies = [.. _dependencies],
            Provides = [.. _provides],
            Requires = [.. _requires],
            Tags = [.. _tags],
            FailureOutput = [.. _failureOutput],
            Semaphores = [.. _semaphores],
            AllowedProjects = _ignoreAllowedProjects || _allowedProjects is null ? null : [.. _allowedProjects.Order(StringComparer.Ordinal)],
            PostReview = _postReview,
            Files = [.. _files.Select(f => f.Pattern)],
            IrrelevantFiles = [.. _irrelevantFiles.Select(f => f.Pattern)],
            MatchOnConfigUpdates = _matchOnConfigUpdates,
            AnsibleVersion = _ansibleVersion,
            AnsibleSplitStreams = _ansibleSplitStreams,
            WorkspaceScheme = _workspaceScheme,
            WorkspaceCheckout = _workspaceCheckout,
            Deduplicate = _deduplicate,
        };
    }

    private FrozenNodeset ResolveNodeset()
    {
        if (_nodeset is not { } chosen)
        {
            return FrozenNodeset.Empty;
        }
        var resolver = new NodesetResolver(_layout);
        var result = resolver.Resolve(chosen.Ref);
        foreach (var problem in result.Problems)
        {
            Error(problem.Code, problem.At, chosen.Variant, problem.Message.Replace("{job}", _jobName, StringComparison.Ordinal));
        }
        if (!result.Problems.IsEmpty)
        {
            Failed = true;
        }
        return result.Nodeset;
    }

    private void CheckTimeouts()
    {
        var max = _layout.Tenant.MaxJobTimeout;
        var (location, source) = LastLocation();
        if (max != -1 && _timeout > max)
        {
            Error(FreezeErrorCodes.MaxJobTimeout, location, source, $"the timeout {_timeout} of job '{_jobName}' exceeds the tenant's max-job-timeout {max}");
            Failed = true;
        }
        if (max != -1 && _postTimeout > max)
        {
            Error(FreezeErrorCodes.MaxJobTimeout, location, source, $"the post-timeout {_postTimeout} of job '{_jobName}' exceeds the tenant's max-job-timeout {max}");
            Failed = true;
        }
        if (_preTimeout is { } pre && _timeout is { } timeout && pre > timeout)
        {
            Error(FreezeErrorCodes.MaxJobTimeout, location, source, $"the pre-timeout {pre} of job '{_jobName}' exceeds its timeout {timeout}");
            Failed = true;
        }
    }

    private void CheckSemaphores()
    {
        foreach (var (name, at, variant) in _playbookSemaphores)
        {
            if (_semaphores.Exists(s => s.Name == name) && AllPlaybooks().Any(p => p.Semaphores.Contains(name)))
            {
                Error(FreezeErrorCodes.SemaphoreConflict, at, variant,
                    $"semaphore '{name}' is used by job '{_jobName}' and by one of its playbooks; use it in one place only");
                Failed = true;
                return;
            }
        }
    }

    private IEnumerable<FrozenPlaybook> AllPlaybooks() => _preRun.Concat(_run).Concat(_postRun).Concat(_cleanupRun);

    private (Gating.Config.Yaml.SourceLocation, SourceContext) LastLocation()
    {
        var last = _path.Count == 0 ? null : _path[^1];
        var location = last is null ? default : new Gating.Config.Yaml.SourceLocation(last.File, last.Line, 0);
        return (location, new SourceContext(last?.Project ?? "", last?.Branch ?? "", last?.File ?? "", false, []));
    }
}

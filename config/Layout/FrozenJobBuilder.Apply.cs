using System.Collections.Immutable;
using Gating.Config.Model;
using Gating.Config.Yaml;
using Gating.Model;
using ModelDependency = Gating.Model.JobDependency;

namespace Gating.Config.Freezing;

/// <summary>The merge rule of every attribute (reference §2.4 "Merge rules on inheritance/variance").</summary>
internal sealed partial class FrozenJobBuilder
{
    private string? _description;
    private bool _voting = true;
    private bool _holdFollowingChanges;
    private string _successMessage = "SUCCESS";
    private string _failureMessage = "FAILURE";
    private string? _successUrl;
    private string? _failureUrl;
    private int? _timeout;
    private int? _preTimeout;
    private int? _postTimeout;
    private int _attempts = 3;
    private string? _overrideCheckout;
    private string? _ansibleVersion;
    private bool _ansibleSplitStreams;
    private string _workspaceScheme = "golang";
    private string _workspaceCheckout = "true";
    private string _deduplicate = "auto";
    private bool _postReview;
    private bool _ignoreAllowedProjects;
    private bool _matchOnConfigUpdates = true;
    private (NodesetRef Ref, JobConfig Variant)? _nodeset;

    private readonly List<(JobRole Role, bool Implicit)> _roles = [];
    private readonly List<FrozenPlaybook> _preRun = [];
    private List<FrozenPlaybook> _run = [];
    private readonly List<FrozenPlaybook> _postRun = [];
    private readonly List<FrozenPlaybook> _cleanupRun = [];
    private readonly List<(string Name, SourceLocation At, JobConfig Variant)> _playbookSemaphores = [];

    private VarMap _vars = VarMap.Empty;
    private VarMap _extraVars = VarMap.Empty;
    private VarMap _hostVars = VarMap.Empty;
    private VarMap _groupVars = VarMap.Empty;
    private List<IncludeVarsFile> _includeVars = [];
    private List<RequiredProject> _requiredProjects = [];
    private ImmutableHashSet<string>? _allowedProjects;
    private List<JobSemaphore> _semaphores = [];
    private List<string> _failureOutput = [];
    private List<string> _tags = [];
    private List<string> _provides = [];
    private List<string> _requires = [];
    private List<ModelDependency> _dependencies = [];
    private ImmutableArray<RegexMatcher> _files = [];
    private ImmutableArray<RegexMatcher> _irrelevantFiles = [];
    private readonly HashSet<(string Project, string Path)> _configFiles = [];

    private void ApplyScalars(JobConfig v)
    {
        _description = v.Description ?? _description;
        _timeout = v.Timeout ?? _timeout;
        _preTimeout = v.PreTimeout ?? _preTimeout;
        _postTimeout = v.PostTimeout ?? _postTimeout;
        _attempts = v.Attempts ?? _attempts;
        _overrideCheckout = v.OverrideCheckout ?? v.OverrideBranch ?? _overrideCheckout;
        _ansibleVersion = v.AnsibleVersion ?? _ansibleVersion;
        _ansibleSplitStreams = v.AnsibleSplitStreams ?? _ansibleSplitStreams;
        _workspaceScheme = v.WorkspaceScheme ?? _workspaceScheme;
        _workspaceCheckout = v.WorkspaceCheckout ?? _workspaceCheckout;
        _deduplicate = v.Deduplicate ?? _deduplicate;
        // post-review is sticky: once true along the chain, nothing sets it back.
        if (v.PostReview == true)
        {
            _postReview = true;
        }
        if (v.Nodeset is { } nodeset)
        {
            _nodeset = (nodeset, v);
        }
    }

    // Roles are updated before playbooks so a playbook sees the roles up to (and including) its own level.
    private void ApplyRoles(JobConfig v, bool projectPipeline)
    {
        var added = new List<(JobRole Role, bool Implicit)>();
        if (!projectPipeline)
        {
            // A job's own repository is an implicit role source (not for project-pipeline variants).
            added.Add((new JobRole(v.Source.Project, ShortName(v.Source.Project)), true));
        }
        foreach (var role in v.Roles ?? [])
        {
            // Galaxy roles are reserved and unimplemented in Zuul; a role project the tenant lacks is skipped.
            if (role.Zuul is { } project && _layout.IsKnownProject(project))
            {
                added.Add((new JobRole(project, role.Name ?? ShortName(project)), false));
            }
        }
        if (added.Count == 0)
        {
            return;
        }
        // Zuul's addRoles: an implicit role named again explicitly becomes explicit in place; new roles go in
        // front (child's before parent's), each once.
        for (var i = 0; i < _roles.Count; i++)
        {
            var match = added.FindIndex(a => a.Role == _roles[i].Role);
            if (match >= 0 && _roles[i].Implicit && !added[match].Implicit)
            {
                _roles[i] = added[match];
            }
        }
        for (var i = added.Count - 1; i >= 0; i--)
        {
            if (!_roles.Exists(r => r.Role == added[i].Role))
            {
                _roles.Insert(0, added[i]);
            }
        }
    }

    private void ApplySecretsAndPlaybooks(JobConfig v)
    {
        var secrets = ResolveSecrets(v);
        // pass-to-parent: the secret reaches every playbook defined so far (the parents'); if one of them is
        // untrusted, the secret could leak through speculative config, so the job becomes post-review.
        var toParents = secrets.Where(s => s.PassToParent).ToImmutableArray();
        if (!toParents.IsEmpty)
        {
            foreach (var list in new[] { _preRun, _run, _postRun, _cleanupRun })
            {
                for (var i = 0; i < list.Count; i++)
                {
                    list[i] = list[i] with { Secrets = list[i].Secrets.AddRange(toParents) };
                    if (!list[i].Trusted)
                    {
                        _postReview = true;
                    }
                }
            }
        }
        if (v.Run is { } run)
        {
            _run = [.. Freeze(v, run, secrets)];
        }
        if (v.PreRun is { } pre)
        {
            _preRun.AddRange(Freeze(v, pre, secrets));
        }
        if (v.PostRun is { } post)
        {
            _postRun.InsertRange(0, Freeze(v, post, secrets));
        }
        if (v.CleanupRun is { } cleanup)
        {
            _cleanupRun.InsertRange(0, Freeze(v, cleanup, secrets));
        }
    }

    private IEnumerable<FrozenPlaybook> Freeze(JobConfig v, ImmutableArray<PlaybookRef> playbooks, ImmutableArray<PlaybookSecret> secrets)
    {
        var roles = _roles.Select(r => r.Role).ToImmutableArray();
        foreach (var playbook in playbooks)
        {
            foreach (var semaphore in playbook.Semaphores)
            {
                _playbookSemaphores.Add((semaphore, playbook.Location, v));
            }
            yield return new FrozenPlaybook(
                playbook.Path, v.Source.Project, v.Source.Branch, v.Source.Trusted, _level, roles, secrets,
                playbook.Semaphores, playbook.Cleanup);
        }
    }

    private ImmutableArray<PlaybookSecret> ResolveSecrets(JobConfig v)
    {
        if (v.Secrets is not { IsEmpty: false } uses)
        {
            return [];
        }
        var resolved = ImmutableArray.CreateBuilder<PlaybookSecret>(uses.Length);
        foreach (var use in uses)
        {
            if (!_layout.Secrets.TryGetValue(use.Secret, out var secret))
            {
                Error(Gating.Config.Errors.ConfigErrorCodes.UnknownSecret, use.Location, v, $"secret '{use.Secret}' is not defined");
                Failed = true;
                continue;
            }
            if (!string.Equals(secret.Source.Project, v.Source.Project, StringComparison.Ordinal))
            {
                Error(Gating.Config.Errors.ConfigErrorCodes.SecretNotInProject, use.Location, v,
                    $"unable to use secret '{use.Secret}': secrets must be defined in the same project in which they are used ({secret.Source.Project}, not {v.Source.Project})");
                Failed = true;
                continue;
            }
            resolved.Add(new PlaybookSecret(use.Name, use.Secret, secret.Source.Project, use.PassToParent));
        }
        // A job of an untrusted project that uses secrets runs post-review only, and only for its own project.
        if (!v.Source.Trusted)
        {
            _postReview = true;
            var own = ImmutableHashSet.Create(StringComparer.Ordinal, v.Source.Project);
            _allowedProjects = _allowedProjects is null ? own : _allowedProjects.Intersect(own);
        }
        return resolved.ToImmutable();
    }

    private void ApplyCollections(JobConfig v)
    {
        _vars = MergeVars(_vars, v.Vars, ControlOf(v, "vars"));
        _extraVars = MergeVars(_extraVars, v.ExtraVars, ControlOf(v, "extra-vars"));
        _hostVars = MergeVars(_hostVars, v.HostVars, ControlOf(v, "host-vars"));
        _groupVars = MergeVars(_groupVars, v.GroupVars, ControlOf(v, "group-vars"));
        if (v.IncludeVars is { } include)
        {
            var files = include.Select(i => new IncludeVarsFile(i.Name, i.ZuulProject ? null : i.Project ?? v.Source.Project, i.Required, i.UseRef));
            _includeVars = ControlOf(v, "include-vars") == OverrideControl.Override ? [.. files] : [.. _includeVars, .. files];
        }
        if (v.RequiredProjects is { } required)
        {
            var next = ControlOf(v, "required-projects") == OverrideControl.Override ? [] : new List<RequiredProject>(_requiredProjects);
            foreach (var project in required)
            {
                // Keyed by name, as Zuul's dict update: a later entry replaces the earlier one in place.
                var entry = new RequiredProject(project.Name, project.OverrideCheckout ?? project.OverrideBranch);
                var at = next.FindIndex(p => p.Name == project.Name);
                if (at >= 0)
                {
                    next[at] = entry;
                }
                else
                {
                    next.Add(entry);
                }
            }
            _requiredProjects = next;
        }
        if (v.AllowedProjects is { } allowed)
        {
            // Intersected across inheritance: a child can only narrow who may run the job.
            var set = allowed.ToImmutableHashSet(StringComparer.Ordinal);
            _allowedProjects = _allowedProjects is null ? set : _allowedProjects.Intersect(set);
        }
        if (v.Semaphores is { } semaphores)
        {
            // Unioned with no override control, sorted by name so jobs acquire them in one order.
            _semaphores = [.. _semaphores.Concat(semaphores.Select(s => new JobSemaphore(s.Name, s.ResourcesFirst)))
                .DistinctBy(s => s.Name).OrderBy(s => s.Name, StringComparer.Ordinal)];
        }
        if (v.FailureOutput is { } failureOutput)
        {
            _failureOutput = Union(_failureOutput, failureOutput, ControlOf(v, "failure-output"), inheritByDefault: true);
        }
    }

    private void ApplyContext(JobConfig v, bool projectPipeline)
    {
        _voting = v.Voting ?? _voting;
        _holdFollowingChanges = v.HoldFollowingChanges ?? _holdFollowingChanges;
        _successMessage = v.SuccessMessage ?? _successMessage;
        _failureMessage = v.FailureMessage ?? _failureMessage;
        _successUrl = v.SuccessUrl ?? _successUrl;
        _failureUrl = v.FailureUrl ?? _failureUrl;
        _matchOnConfigUpdates = v.MatchOnConfigUpdates ?? _matchOnConfigUpdates;
        if (v.Files is { } files)
        {
            _files = ControlOf(v, "files") == OverrideControl.Inherit ? [.. _files, .. files.Where(f => !_files.Any(e => e.Pattern == f.Pattern))] : files;
        }
        if (v.IrrelevantFiles is { } irrelevant)
        {
            _irrelevantFiles = ControlOf(v, "irrelevant-files") == OverrideControl.Inherit
                ? [.. _irrelevantFiles, .. irrelevant.Where(f => !_irrelevantFiles.Any(e => e.Pattern == f.Pattern))]
                : irrelevant;
        }
        if (v.Tags is { } tags)
        {
            _tags = Union(_tags, tags, ControlOf(v, "tags"), inheritByDefault: true);
        }
        if (v.Provides is { } provides)
        {
            _provides = Union(_provides, provides, ControlOf(v, "provides"), inheritByDefault: true);
        }
        if (v.Requires is { } requires)
        {
            _requires = Union(_requires, requires, ControlOf(v, "requires"), inheritByDefault: true);
        }
        if (v.Dependencies is { } dependencies)
        {
            var mine = dependencies.Select(ToModel).ToList();
            _dependencies = ControlOf(v, "dependencies") == OverrideControl.Inherit
                ? [.. _dependencies.Where(d => !mine.Exists(m => m.Name == d.Name)), .. mine]
                : mine;
        }
        if (projectPipeline && v.Source.Trusted)
        {
            // Config projects may add any job to any project's pipelines.
            _ignoreAllowedProjects = true;
        }
    }

    private static VarMap MergeVars(VarMap current, YamlMapping? added, OverrideControl control)
    {
        if (added is null)
        {
            return current;
        }
        var map = VarConversion.ToVarMap(added);
        return control == OverrideControl.Override ? map : current.DeepMerge(map);
    }

    private static List<string> Union(List<string> current, ImmutableArray<string> added, OverrideControl control, bool inheritByDefault)
    {
        var inherit = control == OverrideControl.Inherit || (control == OverrideControl.Default && inheritByDefault);
        return inherit ? [.. current.Concat(added).Distinct(StringComparer.Ordinal)] : [.. added.Distinct(StringComparer.Ordinal)];
    }

    private static string ShortName(string project)
    {
        var slash = project.LastIndexOf('/');
        return slash < 0 ? project : project[(slash + 1)..];
    }
}

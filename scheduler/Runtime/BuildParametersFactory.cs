using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Gating.Config.Loading;
using Gating.Config.Secrets;
using Gating.Model;
using Gating.Model.Json;
using Gating.Scheduler.Pipelines;

namespace Gating.Scheduler.Runtime;

/// <summary>
/// Shapes a <see cref="StartBuild"/> action into the <see cref="BuildParameters"/> an executor reads from the build
/// request's params (the contract of model/Requests), as Zuul's scheduler hands a frozen job to its executors
/// (reference/zuul.md 4.1-4.3): the item and its speculative changes, the nodes, and everything of the frozen job
/// the executor runs (playbooks with their projects, roles and decrypted secrets; variables; required projects;
/// timeouts; nodeset groups). Projects get their connection from the tenant layout. The executor fills in its own
/// side (work dirs, inventory, repo state: it merges the items again itself).
/// <code>
/// StartBuild (frozen job, speculative changes, nodes) + PipelineState (item, changes) + TenantLayout (connections,
///   secrets) + project keys  ──>  BuildParameters  ──ModelJson──>  executor queue params
/// </code>
/// </summary>
public static partial class BuildParametersFactory
{
    /// <summary>The parameters of a build; secrets are decrypted with <paramref name="keys"/> (null: no key store).</summary>
    public static async Task<BuildParameters> CreateAsync(
        TenantRuntime tenant, string pipeline, StartBuild start, PipelineState state, ProjectKeyStore? keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(state);
        var layout = tenant.Layout;
        var secrets = await DecryptSecretsAsync(layout, start.Job, keys, cancellationToken);
        return Create(layout, pipeline, start, state, secrets);
    }

    /// <summary>
    /// The parameters of a build with secrets already decrypted: <paramref name="secrets"/> maps a secret's name to its
    /// plaintext data (a secret missing from it is given as null).
    /// </summary>
    public static BuildParameters Create(TenantLayout layout, string pipeline, StartBuild start, PipelineState state, IReadOnlyDictionary<string, VarValue> secrets)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(secrets);
        var projects = new ProjectResolver(layout);
        var item = state.Items.GetValueOrDefault(start.ItemId);
        var change = (start.Change is { } own ? item?.Changes.FirstOrDefault(c => c.Key == own) : null) ?? item?.Changes.LastOrDefault() ?? state.Changes.Values.FirstOrDefault(c => start.Speculative.Length > 0 && c.Key == start.Speculative[^1].Key);
        var items = start.Speculative.Select(rev =>
        {
            var known = item?.Changes.FirstOrDefault(c => c.Key == rev.Key) ?? state.Changes.GetValueOrDefault(rev.Key);
            var project = projects.Project(rev.Key.Project, rev.Key.Connection);
            var branch = known?.Branch ?? project.DefaultBranch;
            var isChange = known?.IsChange ?? true;
            var merge = new MergeItem(rev.Key.Connection, rev.Key.Project, branch, known?.Ref, isChange ? null : rev.Revision,
                MergeMode.MergeResolve, isChange ? rev.Key.Id : null, isChange ? rev.Revision : null);
            return new BuildItem(project, merge, known?.Url, known?.OldRev, known?.NewRev, known?.Topic);
        }).ToImmutableArray();
        var job = start.Job;
        var graph = item?.BuildSet.JobGraph;
        var nodeset = ChosenNodeset(job.Nodeset, item?.BuildSet.Builds.GetValueOrDefault(job.Name)?.NodesetAlternative ?? 0);
        var itemProject = change is null ? new BuildProject("", "", "") : projects.Project(change.Key.Project, change.Key.Connection);
        return new BuildParameters
        {
            BuildId = start.BuildId,
            BuildSetId = start.BuildSetId,
            Tenant = layout.Tenant.Name,
            Pipeline = pipeline,
            Job = job.Name,
            Project = itemProject,
            Branch = change?.Branch ?? itemProject.DefaultBranch,
            Ref = change?.Ref,
            Change = change?.Number?.ToString(CultureInfo.InvariantCulture),
            Patchset = change?.Patchset,
            ChangeUrl = change?.Url,
            Items = items,
            ConfiguredTime = item?.EnqueueTime ?? default,
            RequiredProjects = job.RequiredProjects.Select(r => projects.Project(r.Name) with { OverrideCheckout = r.OverrideCheckout }).ToImmutableArray(),
            OverrideCheckout = job.OverrideCheckout,
            WorkspaceScheme = job.WorkspaceScheme switch
            {
                "flat" => WorkspaceScheme.Flat,
                "unique" => WorkspaceScheme.Unique,
                _ => WorkspaceScheme.Golang,
            },
            PreRun = Playbooks(job.PreRun, projects, secrets),
            Run = Playbooks(job.Run, projects, secrets),
            // Post-run playbooks marked cleanup run in the cleanup phase (also after an abort), as Zuul runs them.
            PostRun = Playbooks(job.PostRun.Where(p => !p.Cleanup), projects, secrets),
            Cleanup = Playbooks(job.PostRun.Where(p => p.Cleanup).Concat(job.CleanupRun), projects, secrets),
            Timeout = Seconds(job.Timeout),
            PreTimeout = Seconds(job.PreTimeout),
            PostTimeout = Seconds(job.PostTimeout),
            Vars = job.Vars.IsEmpty ? null : Json(job.Vars),
            ExtraVars = job.ExtraVars.IsEmpty ? null : Json(job.ExtraVars),
            IncludeVars = job.IncludeVars,
            HostVars = PerName(job.HostVars),
            GroupVars = PerName(job.GroupVars),
            ParentData = start.ParentData.IsEmpty ? null : Json(start.ParentData),
            ChildJobs = graph?.DependentsOf(start.JobKey ?? job.Name).Select(e => graph.Find(e.Job)?.Name ?? e.Job).ToImmutableArray() ?? [],
            Attempts = start.Attempt,
            MaxAttempts = job.Attempts,
            Nodes = start.Nodes.Select((id, i) => new BuildNodeRef(
                i < nodeset.Nodes.Length ? nodeset.Nodes[i].Names : [$"node{i}"],
                i < nodeset.Nodes.Length ? nodeset.Nodes[i].Label : "",
                id)).ToImmutableArray(),
            Groups = nodeset.Groups.Select(g => new BuildNodeGroup(g.Name, g.Nodes)).ToImmutableArray(),
            Voting = job.Voting,
            PostReview = layout.GetPipeline(pipeline)?.PostReview ?? false,
            JobTags = job.Tags,
            EventId = item?.EventId,
            InheritancePath = job.InheritancePath.Select(s => s.ToString()).ToImmutableArray(),
        };
    }

    /// <summary>The nodeset the build's node request asked for: the alternative tried last (the core's index).</summary>
    public static FrozenNodeset ChosenNodeset(FrozenNodeset nodeset, int alternative)
    {
        ArgumentNullException.ThrowIfNull(nodeset);
        return nodeset.Alternatives.IsDefaultOrEmpty ? nodeset : nodeset.Alternatives[Math.Clamp(alternative, 0, nodeset.Alternatives.Length - 1)];
    }

    private static ImmutableArray<BuildPlaybook> Playbooks(IEnumerable<FrozenPlaybook> playbooks, ProjectResolver projects, IReadOnlyDictionary<string, VarValue> secrets) =>
        playbooks.Select(p => new BuildPlaybook(
            projects.Project(p.Project),
            p.Branch,
            p.Path,
            p.Trusted,
            (p.Roles.IsDefault ? [] : p.Roles).Select(r => new BuildRole(projects.Project(r.Project), r.Name)).ToImmutableArray(),
            (p.Secrets.IsDefault ? [] : p.Secrets).Select(s => new BuildSecret(s.Alias, Json(secrets.GetValueOrDefault(s.SecretName) ?? VarScalar.Null))).ToImmutableArray(),
            p.NestingLevel)).ToImmutableArray();

    private static ImmutableDictionary<string, JsonElement> PerName(VarMap map) =>
        map.Entries.ToImmutableDictionary(e => e.Key, e => Json(e.Value), StringComparer.Ordinal);

    private static JsonElement Json(VarValue value) => JsonSerializer.SerializeToElement(value, ModelJson.Options);

    private static TimeSpan? Seconds(int? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s) : null;

    /// <summary>
    /// Names projects as the executor finds them: the tenant's connection of the project (a project name may be
    /// given with its canonical hostname in front, as Zuul allows), and its default branch.
    /// </summary>
    private sealed class ProjectResolver(TenantLayout layout)
    {
        private readonly Dictionary<string, BuildProject> _known = new(StringComparer.Ordinal);
        private readonly ImmutableArray<Config.Model.TenantProjectConfig> _tenantProjects = layout.Tenant.ProjectsInLoadOrder;

        public BuildProject Project(string name, string? connection = null)
        {
            var key = connection + "\n" + name;
            if (_known.TryGetValue(key, out var found))
            {
                return found;
            }
            var tenantProject = _tenantProjects.FirstOrDefault(p => p.Name == name)
                ?? _tenantProjects.FirstOrDefault(p => name.EndsWith("/" + p.Name, StringComparison.Ordinal));
            var projectName = tenantProject?.Name ?? name;
            var conn = connection ?? tenantProject?.Connection ?? "";
            // The canonical hostname is the connection's name: the executor's repository locator and zuul.projects
            // use the same name, so the workspace path and the repo URL agree (connections carry no hostname yet).
            var project = new BuildProject(conn, projectName, conn, DefaultBranch(projectName));
            _known[key] = project;
            return project;
        }

        private string DefaultBranch(string project) =>
            layout.GetProjectStanzas(project).Select(s => s.DefaultBranch).LastOrDefault(b => b is not null) ?? "master";
    }
}

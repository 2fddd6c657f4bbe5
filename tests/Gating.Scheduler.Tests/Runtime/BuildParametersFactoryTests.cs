using System.Collections.Immutable;
using System.Text.Json;
using Gating.Config.Loading;
using Gating.Config.Parsing;
using Gating.Config.Secrets;
using Gating.Model;
using Gating.Model.Events;
using Gating.Model.Json;
using Gating.Scheduler.Pipelines;
using Gating.Scheduler.Runtime;
using Gating.Testing.Fakes;

namespace Gating.Scheduler.Tests.Runtime;

/// <summary>
/// <see cref="BuildParametersFactory"/> on a job frozen from a real layout: every part of the frozen job the executor
/// runs reaches the parameters, with projects named by their connection and secrets decrypted.
/// </summary>
public sealed class BuildParametersFactoryTests : IDisposable
{
    private const string Connection = "gerrit";
    private readonly string _keys = Path.Combine(Path.GetTempPath(), "gating-bpf-" + Guid.NewGuid().ToString("N")[..12]);

    private const string Tenant = """
        - tenant:
            name: tenant-one
            source:
              gerrit:
                config-projects:
                  - common-config
                untrusted-projects:
                  - org/project
                  - org/roles
                  - org/other
        """;

    private static string Jobs(string secret) => secret + """

        - pipeline:
            name: check
            manager: independent
            trigger:
              gerrit:
                - event: patchset-created

        - job:
            name: base
            parent: null
            pre-run: playbooks/pre.yaml
            post-run:
              - playbooks/post.yaml
              - name: playbooks/cleanup.yaml
                cleanup: true
            secrets:
              - name: db
                secret: db-credentials
            roles:
              - zuul: org/roles
            timeout: 1800
            post-timeout: 600
            nodeset:
              nodes:
                - name: controller
                  label: debian
                - name: [compute1, compute2]
                  label: fedora
              groups:
                - name: computes
                  nodes: [compute1, compute2]

        - job:
            name: hello
            run: playbooks/hello.yaml
            vars:
              greeting: hi
              nested: {a: 1}
            extra-vars:
              forced: true
            host-vars:
              controller: {role: main}
            group-vars:
              computes: {role: worker}
            required-projects:
              - name: org/other
                override-checkout: stable
            workspace-scheme: flat
            voting: false
            tags: [smoke]
            attempts: 2

        - project:
            name: org/project
            check:
              jobs:
                - hello
        """;

    public void Dispose()
    {
        if (Directory.Exists(_keys))
        {
            Directory.Delete(_keys, recursive: true);
        }
    }

    private async Task<(TenantLayout Layout, FrozenJob Job, ProjectKeyStore Keys)> FreezeAsync()
    {
        var keys = new ProjectKeyStore(_keys, keySizeBits: 2048);
        using var key = await keys.GetOrCreateAsync(Connection, "common-config", CancellationToken.None);
        var secret = EncryptedSecretYaml.Format("db-credentials", "password", OaepCipher.Encrypt(key, "s3cret"));
        var review = new FakeReviewSystem(Connection, (_, _) => Task.CompletedTask);
        review.SetBranch("common-config", "master", new Dictionary<string, string> { ["zuul.yaml"] = Jobs(secret) });
        foreach (var project in new[] { "org/project", "org/roles", "org/other" })
        {
            review.SetBranch(project, "master", new Dictionary<string, string> { ["README"] = project });
        }
        var (file, _) = TenantFileParser.Parse(Tenant, "main.yaml");
        var layout = TenantLoader.Load(file.Tenants[0], review);
        Assert.Empty(layout.Errors.Where(e => e.IsError));
        var change = new Change { Key = new ChangeKey(Connection, "org/project", "7"), Branch = "master", Number = 7, Patchset = "2", Ref = "refs/changes/07/7/2" };
        var ready = Assert.IsType<JobGraphReadyEvent>(TenantRuntime.Freeze(layout, "check",
            new FreezeJobGraph("item-1", "bs-1", [change], ImmutableDictionary<string, string>.Empty), []));
        return (layout, ready.Graph.Find("hello")!, keys);
    }

    private static (StartBuild Start, PipelineState State) Build(FrozenJob job)
    {
        var change = new Change
        {
            Key = new ChangeKey(Connection, "org/project", "7"), Branch = "master", Number = 7, Patchset = "2",
            Ref = "refs/changes/07/7/2", Url = "https://review.example.com/7",
        };
        var state = new PipelineState { Tenant = "tenant-one", Pipeline = "check", Changes = ImmutableDictionary<ChangeKey, Change>.Empty.Add(change.Key, change) };
        var start = new StartBuild("build-1", "item-1", "bs-1", job, [new ChangeRevision(change.Key, "2")], ImmutableDictionary<string, string>.Empty,
            ["0000000001", "0000000002"], VarMap.Empty, 300, 1);
        return (start, state);
    }

    [Fact]
    public async Task The_frozen_jobs_playbooks_reach_the_executor_with_projects_roles_and_decrypted_secrets()
    {
        var (layout, job, keys) = await FreezeAsync();
        var (start, state) = Build(job);

        var secrets = await BuildParametersFactory.DecryptSecretsAsync(layout, job, keys, CancellationToken.None);
        var p = BuildParametersFactory.Create(layout, "check", start, state, secrets);

        var config = new BuildProject(Connection, "common-config", Connection, "master");
        Assert.Equal(new[] { "playbooks/pre.yaml" }, p.PreRun.Select(x => x.Path).ToArray());
        Assert.Equal(new[] { "playbooks/hello.yaml" }, p.Run.Select(x => x.Path).ToArray());
        Assert.Equal(new[] { "playbooks/post.yaml" }, p.PostRun.Select(x => x.Path).ToArray());
        Assert.Equal(new[] { "playbooks/cleanup.yaml" }, p.Cleanup.Select(x => x.Path).ToArray());
        var pre = p.PreRun[0];
        Assert.Equal((config, "master", true), (pre.Project, pre.Branch, pre.Trusted));
        // The job's roles, besides the playbook's own project (an implicit role, as in Zuul).
        Assert.Contains(pre.Roles, r => r.Project == new BuildProject(Connection, "org/roles", Connection, "master") && r.TargetName == "roles");
        var secret = Assert.Single(pre.Secrets);
        Assert.Equal(("db", "s3cret"), (secret.Name, secret.Value.GetProperty("password").GetString()));
        // The child's run playbook lives in the config project too, and gets no secret of the base job.
        Assert.Equal((config, true), (p.Run[0].Project, p.Run[0].Trusted));
        Assert.Empty(p.Run[0].Secrets);
        Assert.Equal(p.PreRun[0].NestingLevel, p.PostRun[0].NestingLevel);
    }

    [Fact]
    public async Task Variables_projects_nodes_and_timeouts_of_the_frozen_job_reach_the_executor()
    {
        var (layout, job, _) = await FreezeAsync();
        var (start, state) = Build(job);

        var p = BuildParametersFactory.Create(layout, "check", start, state, new Dictionary<string, VarValue>());

        Assert.Equal(("tenant-one", "check", "hello", "7", "2", "refs/changes/07/7/2"), (p.Tenant, p.Pipeline, p.Job, p.Change, p.Patchset, p.Ref));
        Assert.Equal(new BuildProject(Connection, "org/project", Connection, "master"), p.Project);
        Assert.Equal("hi", p.Vars!.Value.GetProperty("greeting").GetString());
        Assert.Equal(1, p.Vars.Value.GetProperty("nested").GetProperty("a").GetInt32());
        Assert.True(p.ExtraVars!.Value.GetProperty("forced").GetBoolean());
        Assert.Equal("main", p.HostVars["controller"].GetProperty("role").GetString());
        Assert.Equal("worker", p.GroupVars["computes"].GetProperty("role").GetString());
        Assert.Equal(new BuildProject(Connection, "org/other", Connection, "master", "stable"), Assert.Single(p.RequiredProjects));
        Assert.Equal(WorkspaceScheme.Flat, p.WorkspaceScheme);
        Assert.Equal((TimeSpan.FromSeconds(1800), TimeSpan.FromSeconds(600)), (p.Timeout, p.PostTimeout));
        Assert.Equal((false, 2, 1), (p.Voting, p.MaxAttempts, p.Attempts));
        Assert.Equal(new[] { "smoke" }, p.JobTags.ToArray());
        Assert.Equal(new[] { "controller" }, p.Nodes[0].Names.ToArray());
        Assert.Equal(("debian", "0000000001"), (p.Nodes[0].Label, p.Nodes[0].NodeId));
        Assert.Equal(new[] { "compute1", "compute2" }, p.Nodes[1].Names.ToArray());
        var group = Assert.Single(p.Groups);
        Assert.Equal("computes", group.Name);
        Assert.Equal(new[] { "compute1", "compute2" }, group.Nodes.ToArray());
        var item = Assert.Single(p.Items);
        Assert.Equal(("refs/changes/07/7/2", "7", "2"), (item.Merge.Ref, item.Merge.Change, item.Merge.Patchset));
        Assert.NotEmpty(p.InheritancePath);
    }

    [Fact]
    public async Task The_parameters_survive_the_request_json_and_a_missing_key_gives_the_secret_as_null_not_ciphertext()
    {
        var (layout, job, _) = await FreezeAsync();
        var (start, state) = Build(job);
        var wrongKeys = new ProjectKeyStore(Path.Combine(_keys, "other"), keySizeBits: 2048);

        var secrets = await BuildParametersFactory.DecryptSecretsAsync(layout, job, wrongKeys, CancellationToken.None);
        var p = BuildParametersFactory.Create(layout, "check", start, state, secrets);
        var back = ModelJson.Deserialize<BuildParameters>(ModelJson.Serialize(p));

        Assert.Empty(secrets);
        Assert.Equal(JsonValueKind.Null, Assert.Single(back.PreRun[0].Secrets).Value.ValueKind);
        Assert.Equal(p.Run[0].Path, back.Run[0].Path);
        Assert.Equal(p.Cleanup[0].Path, back.Cleanup[0].Path);
        Assert.Equal("hi", back.Vars!.Value.GetProperty("greeting").GetString());
    }

    [Fact]
    public void The_nodeset_alternative_that_was_requested_names_the_nodes()
    {
        var first = new FrozenNodeset("a", [new FrozenNode(["one"], "small")], [], []);
        var second = new FrozenNodeset("b", [new FrozenNode(["two"], "big")], [], []);
        var choice = new FrozenNodeset(null, [], [], [first, second]);

        Assert.Same(second, BuildParametersFactory.ChosenNodeset(choice, 1));
        Assert.Same(first, BuildParametersFactory.ChosenNodeset(choice, 0));
        Assert.Same(first, BuildParametersFactory.ChosenNodeset(first, 3));
    }
}

using Gating.Config.Errors;
using Gating.Config.Freezing;
using static Gating.Config.Tests.Layout.LayoutFixture;

namespace Gating.Config.Tests.Layout;

/// <summary>Nodesets and tenant limits, secrets, and the checks before a job may run (§2.7 steps 4, 6, 7).</summary>
public sealed class FreezeStepTests
{
    [Fact]
    public void Named_inline_and_alternative_nodesets_resolve()
    {
        var layout = App("""
            - nodeset:
                name: pair
                nodes: [{name: [controller, primary], label: big}, {name: compute, label: small}]
                groups: [{name: peers, nodes: [compute]}]
            - nodeset:
                name: choices
                alternatives: [pair, {nodes: [{name: solo, label: tiny}]}]
            - job: {name: named, run: r.yaml, nodeset: pair}
            - job: {name: inline, run: r.yaml, nodeset: {nodes: [{name: n1, label: l1}]}}
            - job: {name: alt, run: r.yaml, nodeset: choices}
            - job: {name: inherited, run: r.yaml}
            - job: {name: empty, run: r.yaml, nodeset: {nodes: []}}
            - project: {check: {jobs: [named, inline, alt, inherited, empty]}}
            """);
        var named = Frozen(layout, "named").Nodeset;
        Assert.Equal("pair", named.Name);
        Assert.Equal<string>(["controller", "primary"], named.Nodes[0].Names);
        Assert.Equal("small", named.Nodes[1].Label);
        Assert.Equal<string>(["compute"], named.Groups.Single().Nodes);
        Assert.Empty(named.Alternatives);

        var inline = Frozen(layout, "inline").Nodeset;
        Assert.Null(inline.Name);
        Assert.Equal("l1", inline.Nodes.Single().Label);

        var alt = Frozen(layout, "alt").Nodeset;
        Assert.Equal("pair", alt.Name);
        Assert.Equal(["big", "tiny"], alt.Alternatives.Select(a => a.Nodes[0].Label));

        Assert.Equal("single", Frozen(layout, "inherited").Nodeset.Name);
        Assert.Empty(Frozen(layout, "empty").Nodeset.Nodes);
    }

    [Fact]
    public void Unknown_nodeset_and_max_nodes_per_job_are_errors()
    {
        var layout = Load(t => t with { MaxNodesPerJob = 1 },
            new Src("config", ConfigProject, Trusted: true),
            new Src("org/app", """
                - job: {name: missing, run: r.yaml, nodeset: nope}
                - job: {name: big, run: r.yaml, nodeset: {nodes: [{name: a, label: x}, {name: b, label: x}]}}
                - project: {check: {jobs: [missing, big]}}
                """));
        var missing = Freeze(layout, "missing");
        Assert.Equal(ConfigErrorCodes.UnknownNodeset, Assert.Single(missing.Errors).Code);
        Assert.Equal(1, missing.Errors[0].Line);
        Assert.Equal(FreezeErrorCodes.MaxNodesPerJob, Assert.Single(Freeze(layout, "big").Errors).Code);
    }

    [Fact]
    public void Max_job_timeout_limits_timeout_and_post_timeout()
    {
        var layout = Load(t => t with { MaxJobTimeout = 1000 },
            new Src("config", ConfigProject.Replace("timeout: 1800", "timeout: 900", StringComparison.Ordinal), Trusted: true),
            new Src("org/app", """
                - job: {name: ok, run: r.yaml, timeout: 1000}
                - job: {name: long, run: r.yaml, timeout: 1001}
                - job: {name: long-post, run: r.yaml, post-timeout: 5000}
                - job: {name: pre-over, run: r.yaml, timeout: 100, pre-timeout: 200}
                - project: {check: {jobs: [ok, long, long-post, pre-over]}}
                """));
        Assert.Equal(1000, Frozen(layout, "ok").Timeout);
        Assert.Equal(FreezeErrorCodes.MaxJobTimeout, Assert.Single(Freeze(layout, "long").Errors).Code);
        Assert.Equal(FreezeErrorCodes.MaxJobTimeout, Assert.Single(Freeze(layout, "long-post").Errors).Code);
        Assert.Equal(FreezeErrorCodes.MaxJobTimeout, Assert.Single(Freeze(layout, "pre-over").Errors).Code);
    }

    [Fact]
    public void Secrets_are_bound_to_the_playbooks_of_the_level_that_declared_them()
    {
        var layout = Load(
            new Src("config", ConfigProject + """

                - secret: {name: site-creds, data: {user: u}}
                - job:
                    name: uploader
                    pre-run: up-pre.yaml
                    run: up-run.yaml
                    post-run: up-post.yaml
                    secrets: [{name: creds, secret: site-creds}]
                """, Trusted: true),
            new Src("org/app", """
                - job: {name: child, parent: uploader, run: child-run.yaml, post-run: child-post.yaml}
                - project: {check: {jobs: [child]}}
                """));
        var job = Frozen(layout, "child");
        string Secrets(Gating.Model.FrozenPlaybook p) => string.Join(",", p.Secrets.Select(s => s.Alias + "=" + s.SecretName));
        Assert.Equal("creds=site-creds", Secrets(job.PreRun.Single(p => p.Path == "up-pre.yaml")));
        Assert.Equal("creds=site-creds", Secrets(job.PostRun.Single(p => p.Path == "up-post.yaml")));
        // The child's playbooks (and its run, which replaced the parent's) never see the parent's secret.
        Assert.Equal("", Secrets(job.Run.Single()));
        Assert.Equal("", Secrets(job.PostRun.Single(p => p.Path == "child-post.yaml")));
        Assert.Equal("", Secrets(job.PreRun.Single(p => p.Path == "playbooks/base/pre.yaml")));
        Assert.False(job.PostReview);
    }

    [Fact]
    public void Pass_to_parent_gives_the_secret_to_parent_playbooks_and_makes_untrusted_jobs_post_review()
    {
        var layout = App("""
            - secret: {name: token, data: {t: x}}
            - job: {name: p, pre-run: p-pre.yaml, run: p-run.yaml}
            - job: {name: c, parent: p, post-run: c-post.yaml, secrets: [{name: tok, secret: token, pass-to-parent: true}]}
            - project: {post: {jobs: [c]}}
            """);
        var job = Frozen(layout, "c", pipeline: "post");
        Assert.All(job.PreRun, p => Assert.Contains(p.Secrets, s => s.Alias == "tok"));
        Assert.Contains(job.Run.Single().Secrets, s => s.Alias == "tok" && s.PassToParent);
        Assert.Contains(job.PostRun.Single(p => p.Path == "c-post.yaml").Secrets, s => s.Alias == "tok");
        Assert.True(job.PostReview);
        // Untrusted secrets also restrict the job to its own project.
        Assert.Equal<string>(["org/app"], job.AllowedProjects!.Value);
        var check = Graph(Load(new Src("config", ConfigProject, Trusted: true), new Src("org/app", """
            - secret: {name: token, data: {t: x}}
            - job: {name: c, run: r.yaml, secrets: [token]}
            - project: {check: {jobs: [c]}}
            """)));
        Assert.Equal(FreezeErrorCodes.PostReviewJob, Assert.Single(check.Errors).Code);
    }

    [Fact]
    public void A_secret_of_another_project_or_an_unknown_one_is_an_error()
    {
        var layout = Load(
            new Src("config", ConfigProject + "\n- secret: {name: theirs, data: {a: b}}\n", Trusted: true),
            new Src("org/app", """
                - job: {name: steal, run: r.yaml, secrets: [theirs]}
                - job: {name: ghost, run: r.yaml, secrets: [nope]}
                - project: {check: {jobs: [steal, ghost]}}
                """));
        Assert.Equal(ConfigErrorCodes.SecretNotInProject, Assert.Single(Freeze(layout, "steal").Errors).Code);
        Assert.Equal(ConfigErrorCodes.UnknownSecret, Assert.Single(Freeze(layout, "ghost").Errors).Code);
    }

    [Fact]
    public void Allowed_projects_refuse_other_projects_unless_a_config_project_adds_the_job()
    {
        var layout = Load(
            new Src("config", ConfigProject + """

                - job: {name: restricted, run: r.yaml, allowed-projects: [org/lib]}
                - project: {name: org/other, check: {jobs: [restricted]}}
                """, Trusted: true),
            new Src("org/app", "- project: {check: {jobs: [restricted]}}\n"),
            new Src("org/other", "- job: {name: unused, run: r.yaml}\n"));
        Assert.Equal(FreezeErrorCodes.ProjectNotAllowed, Assert.Single(Freeze(layout, "restricted").Errors).Code);
        var viaConfig = Frozen(layout, "restricted", project: "org/other");
        Assert.Null(viaConfig.AllowedProjects);
    }

    [Fact]
    public void A_job_without_run_playbook_and_post_review_in_check_are_refused()
    {
        var layout = App("""
            - job: {name: norun}
            - job: {name: pr, run: r.yaml, post-review: true}
            - project: {check: {jobs: [norun, pr]}, post: {jobs: [pr]}}
            """);
        Assert.Equal(FreezeErrorCodes.NoRunPlaybook, Assert.Single(Freeze(layout, "norun").Errors).Code);
        Assert.Equal(FreezeErrorCodes.PostReviewJob, Assert.Single(Freeze(layout, "pr").Errors).Code);
        Assert.True(Freeze(layout, "pr", pipeline: "post").Ok);
    }

    [Fact]
    public void Job_level_semaphore_may_not_also_be_a_playbook_semaphore()
    {
        var layout = App("""
            - job: {name: j, semaphores: [s], run: {name: r.yaml, semaphores: [s]}}
            - project: {check: {jobs: [j]}}
            """);
        Assert.Equal(FreezeErrorCodes.SemaphoreConflict, Assert.Single(Freeze(layout, "j").Errors).Code);
    }
}

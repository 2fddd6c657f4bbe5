using System.Text.Json.Nodes;
using Gating.Config.Freezing;
using static Gating.Config.Tests.Layout.LayoutFixture;

namespace Gating.Config.Tests.Layout;

/// <summary>What freeze-job and job-graph print.</summary>
public sealed class RendererTests
{
    private static readonly Lazy<Gating.Config.Freezing.FreezeLayout> s_layout = new(() => App("""
        - secret: {name: token, data: {t: x}}
        - job:
            name: build
            run: build.yaml
            vars: {nested: {k: v}, flag: true}
        - job:
            name: publish
            run: publish.yaml
            secrets: [{name: api, secret: token}]
            dependencies: [build]
        - project: {post: {jobs: [build, {publish: {voting: false}}]}}
        """));

    [Fact]
    public void Freeze_job_text_lists_path_playbooks_in_order_with_trust_and_secrets_by_name()
    {
        var job = Frozen(s_layout.Value, "publish", pipeline: "post");
        var text = FrozenJobText.Format(job, "master");
        Assert.StartsWith("Job: publish\nBranch: master\n", text);
        Assert.Contains("Voting: no\n", text);
        Assert.Contains("Timeout: 1800\n", text);
        Assert.Contains("Inheritance path:\n  base (config/zuul.yaml@master#", text);
        var pre = text.IndexOf("  pre-run: config/playbooks/base/pre.yaml [trusted, branch master, level 0]", StringComparison.Ordinal);
        var run = text.IndexOf("  run: org/app/publish.yaml [untrusted, branch master, level 1]\n      secrets: api (token)", StringComparison.Ordinal);
        var post = text.IndexOf("  post-run: config/playbooks/base/post.yaml [trusted", StringComparison.Ordinal);
        Assert.True(pre >= 0 && run > pre && post > run, text);
        Assert.Contains("Nodeset: single\n  primary: ubuntu\n", text);
        Assert.Contains("Dependencies: build\n", text);
        Assert.DoesNotContain("t: x", text);
    }

    [Fact]
    public void Freeze_job_json_keeps_variable_types()
    {
        var json = FrozenJobText.ToJson(Frozen(s_layout.Value, "build", pipeline: "post"));
        Assert.Equal("build", (string?)json["name"]);
        Assert.True((bool?)json["vars"]!["flag"]);
        Assert.Equal("v", (string?)json["vars"]!["nested"]!["k"]);
        Assert.Equal("base", (string?)json["vars"]!["base_var"]);
        Assert.Equal(1L, (long?)json["vars"]!["shared"]!["a"]);
        Assert.Equal("build.yaml", (string?)json["run"]![0]!["path"]);
        Assert.False((bool?)json["run"]![0]!["trusted"]);
    }

    [Fact]
    public void Job_graph_renders_as_text_dot_and_json()
    {
        var graph = Graph(s_layout.Value, pipeline: "post").Graph;
        Assert.Equal("build\npublish (non-voting) <- build\n2 jobs, 1 dependencies\n", JobGraphText.Text(graph));
        var dot = JobGraphText.Dot(graph);
        Assert.Contains("  \"build\" -> \"publish\";\n", dot);
        Assert.Contains("  \"publish\" [style=dashed];\n", dot);
        var json = JobGraphText.Json(graph);
        Assert.Equal(2, json["jobs"]!.AsArray().Count);
        Assert.Equal("build", (string?)json["dependencies"]![0]!["depends_on"]);
        Assert.IsType<JsonObject>(json["jobs"]![1]);
    }
}

using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Parsing;
using Gating.Config.Yaml;

namespace Gating.Config.Tests.Parsing;

public sealed class JobParserTests
{
    private static JobConfig ParseJob(string body)
    {
        var parsed = TestTenant.Parse("- job:\n" + body);
        Assert.Empty(parsed.Errors.Where(e => e.IsError));
        return Assert.Single(parsed.Jobs);
    }

    [Fact]
    public void Every_attribute_is_read()
    {
        var job = ParseJob("""
                name: full
                parent: base
                description: d
                variant-description: vd
                abstract: true
                final: false
                protected: true
                intermediate: true
                attribute-control:
                  vars: {final: true}
                success-message: ok
                failure-message: bad
                success-url: http://s
                failure-url: http://f
                voting: false
                hold-following-changes: true
                branches: [master, {regex: ^stable/.*$, negate: true}]
                files: ^src/.*$
                irrelevant-files: [^doc/.*$]
                match-on-config-updates: false
                nodeset: ubuntu
                pre-run: pre.yaml
                run: [{name: run.yaml, semaphores: [s1]}]
                post-run: [{name: post.yaml, cleanup: true}, post2.yaml]
                cleanup-run: clean.yaml
                timeout: 3600
                pre-timeout: 600
                post-timeout: 300
                attempts: 2
                roles: [{zuul: zuul/zuul-jobs}, {zuul: org/roles, name: alias}]
                required-projects: [org/a, {name: org/b, override-checkout: stable/1}]
                override-checkout: main
                override-branch: main
                ansible-version: 9
                ansible-split-streams: true
                workspace-scheme: flat
                workspace-checkout: auto
                failure-output: ['ERROR']
                deduplicate: false
                image-build-name: img
                vars: {a: 1}
                extra-vars: {b: 2}
                host-vars: {controller: {c: 3}}
                group-vars: {compute: {d: 4}}
                include-vars: [vars.yaml, {name: other.yaml, project: org/x, required: false, use-ref: false}]
                secrets: [plain, {name: var, secret: s2, pass-to-parent: true}]
                post-review: true
                allowed-projects: [org/a]
                semaphores: [{name: sem, resources-first: true}, sem2]
                dependencies: [a, {name: b, soft: true}]
                provides: [p]
                requires: r
                tags: [t1, t2]
            """);
        Assert.Equal("full", job.Name);
        Assert.Equal("base", job.Parent);
        Assert.True(job.Abstract);
        Assert.True(job.Protected);
        Assert.True(job.AttributeControl!["vars"]);
        Assert.False(job.Voting);
        Assert.Equal(2, job.Branches!.Value.Length);
        Assert.True(job.Branches.Value[1].Negate);
        Assert.Single(job.Files!.Value);
        Assert.Equal("ubuntu", job.Nodeset!.Name);
        Assert.Equal(["s1"], job.Run!.Value[0].Semaphores.ToArray());
        Assert.True(job.PostRun!.Value[0].Cleanup);
        Assert.Equal("post2.yaml", job.PostRun.Value[1].Path);
        Assert.Equal(3600, job.Timeout);
        Assert.Equal("alias", job.Roles!.Value[1].Name);
        Assert.Equal("stable/1", job.RequiredProjects!.Value[1].OverrideCheckout);
        Assert.Equal("9", job.AnsibleVersion);
        Assert.Equal("flat", job.WorkspaceScheme);
        Assert.Equal("auto", job.WorkspaceCheckout);
        Assert.Equal("false", job.Deduplicate);
        Assert.False(job.IncludeVars!.Value[1].Required);
        Assert.Equal(("var", "s2", true), (job.Secrets!.Value[1].Name, job.Secrets.Value[1].Secret, job.Secrets.Value[1].PassToParent));
        Assert.Equal(("plain", "plain"), (job.Secrets.Value[0].Name, job.Secrets.Value[0].Secret));
        Assert.True(job.Semaphores!.Value[0].ResourcesFirst);
        Assert.True(job.Dependencies!.Value[1].Soft);
        Assert.Equal(["r"], job.Requires!.Value.ToArray());
        Assert.Contains("tags", job.SetAttributes);
        Assert.Equal(JobParser.Schema.Known.Count - 1, job.SetAttributes.Count); // all but the deprecated "semaphore"
    }

    [Fact]
    public void Parent_null_makes_a_base_job()
    {
        var job = ParseJob("    name: base\n    parent: null\n");
        Assert.True(job.IsBaseJob);
        Assert.Null(job.Parent);
        Assert.False(ParseJob("    name: j\n").IsBaseJob);
    }

    [Fact]
    public void Inline_nodeset_with_multi_name_nodes()
    {
        var job = ParseJob("    name: j\n    nodeset:\n      nodes:\n        - name: [a, b]\n          label: l\n");
        Assert.Null(job.Nodeset!.Name);
        Assert.Equal(["a", "b"], job.Nodeset.Inline!.Nodes[0].Names.ToArray());
    }

    [Fact]
    public void Override_control_tags_are_recorded_per_attribute()
    {
        var job = ParseJob("    name: j\n    tags: !override [a]\n    files: !inherit [b]\n");
        Assert.Equal(OverrideControl.Override, job.OverrideControls["tags"]);
        Assert.Equal(OverrideControl.Inherit, job.OverrideControls["files"]);
    }

    [Fact]
    public void Deprecated_semaphore_is_a_warning_and_read()
    {
        var parsed = TestTenant.Parse("- job:\n    name: j\n    semaphore: s\n");
        Assert.Equal(ConfigErrorCodes.DeprecatedAttribute, Assert.Single(parsed.Errors).Code);
        Assert.Equal("s", Assert.Single(parsed.Jobs).Semaphores!.Value[0].Name);
    }

    [Fact]
    public void Unknown_attribute_is_an_error_at_the_key_and_skips_only_that_job()
    {
        var parsed = TestTenant.Parse("- job:\n    name: bad\n    tiemout: 3\n- job:\n    name: good\n");
        var e = Assert.Single(parsed.Errors);
        Assert.Equal(ConfigErrorCodes.UnknownAttribute, e.Code);
        Assert.Equal((3, 5), (e.Line, e.Column));
        Assert.Equal("good", Assert.Single(parsed.Jobs).Name);
    }

    [Theory]
    [InlineData("    name: j\n    timeout: soon\n", 3, 14)]
    [InlineData("    name: j\n    voting: maybe\n", 3, 13)]
    [InlineData("    name: j\n    vars: [1]\n", 3, 11)]
    [InlineData("    name: j\n    workspace-scheme: deep\n", 3, 23)]
    [InlineData("    name: j\n    run: [{path: x}]\n", 3, 12)]
    public void Wrong_types_are_invalid_values_at_the_value(string body, int line, int column)
    {
        var parsed = TestTenant.Parse("- job:\n" + body);
        var e = parsed.Errors.First(x => x.IsError);
        Assert.Contains(e.Code, new[] { ConfigErrorCodes.InvalidValue, ConfigErrorCodes.UnknownAttribute });
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.Empty(parsed.Jobs);
    }

    [Fact]
    public void Missing_name_is_an_error()
    {
        var parsed = TestTenant.Parse("- job:\n    parent: base\n");
        Assert.Equal(ConfigErrorCodes.MissingAttribute, Assert.Single(parsed.Errors).Code);
    }

    [Fact]
    public void Newer_job_attributes_are_warnings()
    {
        var parsed = TestTenant.Parse("- job:\n    name: j\n    ansible-tags: x\n");
        Assert.Equal(ConfigErrorCodes.UnsupportedAttribute, Assert.Single(parsed.Errors).Code);
        Assert.Single(parsed.Jobs);
    }

    [Fact]
    public void Bad_regex_is_an_error_and_non_re2_regex_a_warning()
    {
        var bad = TestTenant.Parse("- job:\n    name: j\n    files: '([x'\n");
        Assert.Equal(ConfigErrorCodes.InvalidRegex, Assert.Single(bad.Errors).Code);
        var warn = TestTenant.Parse("- job:\n    name: j\n    branches: ^(?!master).*$\n");
        Assert.Equal(ConfigErrorCodes.RegexNotRe2, Assert.Single(warn.Errors).Code);
        Assert.Single(warn.Jobs);
    }
}

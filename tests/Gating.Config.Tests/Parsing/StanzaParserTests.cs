using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Yaml;

namespace Gating.Config.Tests.Parsing;

public sealed class StanzaParserTests
{
    [Fact]
    public void Pipeline_with_every_attribute()
    {
        var parsed = TestTenant.Parse("""
            - pipeline:
                name: gate
                description: d
                variant-description: v
                manager: dependent
                post-review: true
                success-message: s
                failure-message: f
                start-message: st
                enqueue-message: e
                merge-conflict-message: m
                no-jobs-message: n
                dequeue-message: dq
                footer-message: ft
                precedence: high
                supercedes: [check]
                dequeue-on-new-patchset: false
                ignore-dependencies: false
                allow-other-connections: false
                require: {gerrit: {open: true}}
                reject: {gerrit: {approval: [{Code-Review: -2}]}}
                trigger:
                  gerrit:
                    - event: comment-added
                  timer:
                    - time: '0 0 * * *'
                enqueue: {gerrit: {}}
                start: {gerrit: {Verified: 0}}
                success: {gerrit: {Verified: 2, submit: true}, smtp: {to: a@b}}
                failure: {gerrit: {Verified: -2}}
                merge-conflict: {gerrit: {}}
                config-error: {gerrit: {}}
                no-jobs: {gerrit: {}}
                disabled: {smtp: {to: a@b}}
                dequeue: {gerrit: {}}
                disable-after-consecutive-failures: 3
                window: 10
                window-floor: 2
                window-ceiling: 30
                window-increase-type: exponential
                window-increase-factor: 2
                window-decrease-type: linear
                window-decrease-factor: 1
            """);
        Assert.Empty(parsed.Errors);
        var p = Assert.Single(parsed.Pipelines);
        Assert.Equal(PipelineManagerKind.Dependent, p.Manager);
        Assert.Equal(PipelinePrecedence.High, p.Precedence);
        Assert.Equal(["gerrit", "timer"], p.Trigger.Select(t => t.Connection).ToArray());
        Assert.Equal(["gerrit", "smtp"], p.Reporters["success"].Select(t => t.Connection).ToArray());
        Assert.Equal(9, p.Reporters.Count);
        Assert.Equal(new PipelineWindow(10, 2, 30, "exponential", 2, "linear", 1), p.Window);
        Assert.Equal("check", p.Supercedes[0].Name);
        Assert.False(p.AllowOtherConnections);
        Assert.Equal(3, p.DisableAfterConsecutiveFailures);
    }

    [Fact]
    public void Pipeline_needs_manager_and_trigger_and_a_known_manager()
    {
        var parsed = TestTenant.Parse("- pipeline:\n    name: p\n- pipeline:\n    name: q\n    manager: fancy\n    trigger: {}\n");
        Assert.Empty(parsed.Pipelines);
        Assert.Equal(3, parsed.Errors.Length);
        Assert.All(parsed.Errors, e => Assert.Contains(e.Code, new[] { ConfigErrorCodes.MissingAttribute, ConfigErrorCodes.InvalidValue }));
    }

    [Fact]
    public void Nodeset_groups_multi_name_nodes_and_alternatives()
    {
        var parsed = TestTenant.Parse("""
            - nodeset:
                name: multi
                nodes:
                  - name: controller
                    label: ubuntu
                  - name: [compute1, compute2]
                    label: ubuntu
                groups:
                  - name: compute
                    nodes: [compute1, compute2]
            - nodeset:
                name: alt
                alternatives:
                  - multi
                  - nodes:
                      - name: x
                        label: centos
            """);
        Assert.Empty(parsed.Errors);
        var multi = parsed.Nodesets[0];
        Assert.Equal(["compute1", "compute2"], multi.Nodes[1].Names.ToArray());
        Assert.Equal("compute", multi.Groups[0].Name);
        var alt = parsed.Nodesets[1];
        Assert.True(alt.HasAlternatives);
        Assert.Equal("multi", alt.Alternatives[0].Name);
        Assert.Equal("centos", alt.Alternatives[1].Inline!.Nodes[0].Label);
    }

    [Fact]
    public void Nodeset_errors_duplicate_node_names_missing_label_and_mixing_alternatives()
    {
        var parsed = TestTenant.Parse("""
            - nodeset:
                name: a
                nodes:
                  - {name: x, label: l}
                  - {name: x, label: l}
            - nodeset:
                name: b
                nodes:
                  - {name: x}
            - nodeset:
                name: c
                nodes: [{name: x, label: l}]
                alternatives: [a]
            """);
        Assert.Empty(parsed.Nodesets);
        Assert.Equal(3, parsed.Errors.Length);
    }

    [Fact]
    public void Secret_keeps_encrypted_chunks()
    {
        var parsed = TestTenant.Parse("""
            - secret:
                name: creds
                data:
                  user: zuul
                  password: !encrypted/pkcs1-oaep
                    - AAAA
                    - BBBB
            """);
        Assert.Empty(parsed.Errors);
        var data = (YamlMapping)Assert.Single(parsed.Secrets).Data!;
        Assert.Equal(["AAAA", "BBBB"], ((YamlEncrypted)data.Get("password")!).Chunks.ToArray());
    }

    [Fact]
    public void Semaphore_queue_and_pragma()
    {
        var parsed = TestTenant.Parse("""
            - pragma:
                implied-branch-matchers: true
                implied-branches: [master, ^stable/.*]
            - semaphore: {name: s, max: 3}
            - semaphore: {name: t}
            - queue: {name: q, per-branch: true, allow-circular-dependencies: true, dependencies-by-topic: true}
            """);
        Assert.Empty(parsed.Errors);
        Assert.Equal([3, 1], parsed.Semaphores.Select(s => s.Max).ToArray());
        Assert.Equal(new[] { true, true, true }, new[] { parsed.Queues[0].PerBranch, parsed.Queues[0].AllowCircularDependencies, parsed.Queues[0].DependenciesByTopic });
        Assert.Equal(2, parsed.Semaphores[0].Source.ImpliedBranches.Length);
    }

    [Fact]
    public void Semaphore_max_must_be_positive() =>
        Assert.Equal(ConfigErrorCodes.InvalidValue, Assert.Single(TestTenant.Parse("- semaphore: {name: s, max: 0}\n").Errors).Code);

    [Fact]
    public void Project_with_regex_name_templates_pipelines_and_local_variants()
    {
        var parsed = TestTenant.Parse("""
            - project:
                name: ^org/.*$
                templates: [t1]
                branches: master
                default-branch: main
                merge-mode: squash-merge
                queue: shared
                description: d
                vars: {a: 1}
                check:
                  fail-fast: true
                  debug: true
                  jobs:
                    - plain
                    - variant:
                        voting: false
                        files: [^src/]
                    - nullvariant:
                gate:
            """);
        Assert.Empty(parsed.Errors);
        var p = Assert.Single(parsed.Projects);
        Assert.True(p.NameIsRegex);
        Assert.Equal("squash-merge", p.MergeMode);
        Assert.Equal(["check", "gate"], p.Pipelines.Select(x => x.Pipeline).ToArray());
        var check = p.Pipelines[0];
        Assert.True(check.FailFast);
        Assert.Equal(["plain", "variant", "nullvariant"], check.Jobs.Select(j => j.Name).ToArray());
        Assert.False(check.Jobs[1].Variant!.Voting);
        Assert.Null(check.Jobs[2].Variant);
    }

    [Fact]
    public void Project_without_name_is_the_holding_project()
    {
        var p = Assert.Single(TestTenant.Parse("- project:\n    check: {jobs: [a]}\n").Projects);
        Assert.Equal("org/project", p.Name);
        Assert.True(p.NameImplied);
    }

    [Fact]
    public void Bad_local_variant_attribute_is_reported()
    {
        var parsed = TestTenant.Parse("- project:\n    check:\n      jobs:\n        - a: {votin: false}\n");
        var e = Assert.Single(parsed.Errors);
        Assert.Equal(ConfigErrorCodes.UnknownAttribute, e.Code);
        Assert.Equal((4, 15), (e.Line, e.Column));
    }

    [Fact]
    public void Template_rejects_project_only_attributes()
    {
        var parsed = TestTenant.Parse("- project-template:\n    name: t\n    merge-mode: merge\n    check: {jobs: [a]}\n");
        Assert.Equal(ConfigErrorCodes.UnknownAttribute, Assert.Single(parsed.Errors).Code);
        var ok = TestTenant.Parse("- project-template:\n    name: t\n    queue: q\n    vars: {x: 1}\n    check: {jobs: [a]}\n");
        Assert.Equal("q", Assert.Single(ok.ProjectTemplates).Queue);
    }

    [Fact]
    public void Launcher_stanzas_are_accepted_with_a_warning()
    {
        var parsed = TestTenant.Parse("- image: {name: ubuntu, type: zuul}\n- label: {name: l}\n- job: {name: j}\n");
        Assert.Equal(2, parsed.Errors.Count(e => e.Code == ConfigErrorCodes.UnsupportedStanza && !e.IsError));
        Assert.Equal(2, parsed.LauncherStanzas.Length);
        Assert.Single(parsed.Jobs);
    }

    [Fact]
    public void Unknown_stanza_and_bad_structure_are_errors()
    {
        var parsed = TestTenant.Parse("- jobb: {name: j}\n- job: {name: a}\n  project: {}\n- just a string\n- job: {name: ok}\n");
        Assert.Equal([ConfigErrorCodes.UnknownStanza, ConfigErrorCodes.InvalidStructure, ConfigErrorCodes.InvalidStructure], parsed.Errors.Select(e => e.Code).ToArray());
        Assert.Equal("ok", Assert.Single(parsed.Jobs).Name);
    }

    [Fact]
    public void Top_level_must_be_a_list()
    {
        var parsed = TestTenant.Parse("job: {name: j}\n");
        Assert.Equal(ConfigErrorCodes.InvalidStructure, Assert.Single(parsed.Errors).Code);
    }
}

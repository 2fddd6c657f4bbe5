using System.Collections.Immutable;

namespace Gating.Testing.Scenarios;

/// <summary>
/// The named fixtures a scenario can start from (<c>fixture: standard</c>), modelled on Zuul's own test layout:
/// a config project <c>common-config</c> with check/gate/post/periodic pipelines and the jobs, and untrusted
/// projects. The text here is what docs/scenarios.md shows; change both together.
/// </summary>
public static class StandardFixture
{
    /// <summary>The fixture's name in scenario files.</summary>
    public const string Name = "standard";

    /// <summary>The tenant file.</summary>
    public const string TenantYaml = """
        - tenant:
            name: tenant-one
            source:
              gerrit:
                config-projects:
                  - common-config
                untrusted-projects:
                  - org/project
                  - org/project1
                  - org/project2
                  - org/project3
        """;

    /// <summary>common-config's zuul.d/pipelines.yaml.</summary>
    public const string Pipelines = """
        - pipeline:
            name: check
            manager: independent
            trigger:
              gerrit:
                - event: patchset-created
                - event: comment-added
                  comment: (?i)^(Patch Set [0-9]+:)?( [\w\\+-]*)*(\n\n)?\s*recheck
            start:
              gerrit:
                Verified: 0
            success:
              gerrit:
                Verified: 1
            failure:
              gerrit:
                Verified: -1

        - pipeline:
            name: gate
            manager: dependent
            success-message: Build succeeded (gate pipeline).
            failure-message: Build failed (gate pipeline).
            precedence: high
            require:
              gerrit:
                open: true
                current-patchset: true
                approval:
                  - Code-Review: 2
            trigger:
              gerrit:
                - event: comment-added
                  approval:
                    - Approved: 1
            start:
              gerrit:
                Verified: 0
            success:
              gerrit:
                Verified: 2
                submit: true
            failure:
              gerrit:
                Verified: -2

        - pipeline:
            name: post
            manager: independent
            post-review: true
            precedence: low
            trigger:
              gerrit:
                - event: ref-updated
                  ref: ^refs/heads/.*$

        - pipeline:
            name: periodic
            manager: independent
            post-review: true
            precedence: low
            trigger:
              timer:
                - time: '0 * * * *'
        """;

    /// <summary>common-config's zuul.d/jobs.yaml.</summary>
    public const string Jobs = """
        - job:
            name: base
            parent: null
            run: playbooks/base.yaml
            nodeset:
              nodes:
                - name: controller
                  label: label1

        - job:
            name: project-merge

        - job:
            name: project-test1

        - job:
            name: project-test2

        - job:
            name: project-post

        - job:
            name: project-periodic
        """;

    /// <summary>common-config's zuul.d/projects.yaml.</summary>
    public const string Projects = """
        - project-template:
            name: merge-and-test
            check:
              jobs:
                - project-merge
                - project-test1:
                    dependencies: project-merge
                - project-test2:
                    dependencies: project-merge
            gate:
              jobs:
                - project-merge
                - project-test1:
                    dependencies: project-merge
                - project-test2:
                    dependencies: project-merge

        - project:
            name: org/project
            templates:
              - merge-and-test
            post:
              jobs:
                - project-post
            periodic:
              jobs:
                - project-periodic

        - project:
            name: org/project1
            queue: integrated
            templates:
              - merge-and-test

        - project:
            name: org/project2
            queue: integrated
            templates:
              - merge-and-test

        - project:
            name: org/project3
            templates:
              - merge-and-test
        """;

    /// <summary>The repositories' initial files (every project gets a README on master).</summary>
    public static ImmutableArray<RepoFiles> Repos { get; } =
    [
        new("common-config", "master", ImmutableDictionary<string, string?>.Empty
            .Add("zuul.d/pipelines.yaml", Pipelines)
            .Add("zuul.d/jobs.yaml", Jobs)
            .Add("zuul.d/projects.yaml", Projects)
            .Add("playbooks/base.yaml", "- hosts: all\n  tasks: []\n")),
        Readme("org/project"),
        Readme("org/project1"),
        Readme("org/project2"),
        Readme("org/project3"),
    ];

    private static RepoFiles Readme(string project) =>
        new(project, "master", ImmutableDictionary<string, string?>.Empty.Add("README", project + "\n"));
}

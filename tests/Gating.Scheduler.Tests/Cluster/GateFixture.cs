using System.Collections.Immutable;
using Gating.Testing.Cluster;
using Gating.Testing.Scenarios;

namespace Gating.Scheduler.Tests.Cluster;

/// <summary>A tenant with check and gate pipelines, three jobs per project and one shared queue (Zuul's single-tenant fixture, trimmed).</summary>
public static class GateFixture
{
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
        """;

    public const string Config = """
        - pipeline:
            name: check
            manager: independent
            trigger:
              gerrit:
                - event: patchset-created
                - event: comment-added
                  comment: (?i)^\s*recheck\s*$
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
            trigger:
              gerrit:
                - event: comment-added
                  approval:
                    - Approved: 1
            require:
              gerrit:
                approval:
                  - Code-Review: 2
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
            window: 20

        - pipeline:
            name: post
            manager: supercedent
            trigger:
              gerrit:
                - event: ref-updated
                  ref: ^refs/heads/.*$

        - pipeline:
            name: periodic
            manager: independent
            trigger:
              timer:
                - time: '0 0 * * *'

        - queue:
            name: integrated

        - job:
            name: base
            parent: null
            run: playbooks/base.yaml

        - job:
            name: project-merge

        - job:
            name: project-test1
            dependencies: [project-merge]
            nodeset:
              nodes:
                - name: controller
                  label: ubuntu-jammy

        - job:
            name: project-test2
            dependencies: [project-merge]

        - job:
            name: project-post

        - project:
            name: org/project
            queue: integrated
            check:
              jobs: [project-merge, project-test1, project-test2]
            gate:
              jobs: [project-merge, project-test1, project-test2]
            post:
              jobs: [project-post]
            periodic:
              jobs: [project-post]

        - project:
            name: org/project1
            queue: integrated
            check:
              jobs: [project-merge, project-test1, project-test2]
            gate:
              jobs: [project-merge, project-test1, project-test2]
        """;

    public static ClusterSetup Setup(string? config = null) => new(
        TenantYaml,
        [
            new RepoFiles("common-config", "master", ImmutableDictionary<string, string?>.Empty.Add("zuul.yaml", config ?? Config)),
            new RepoFiles("org/project", "master", ImmutableDictionary<string, string?>.Empty.Add("README", "project\n")),
            new RepoFiles("org/project1", "master", ImmutableDictionary<string, string?>.Empty.Add("README", "project1\n")),
        ]);

    /// <summary>Code-Review +2 and Approved +1: what puts a change in the gate.</summary>
    public static async Task ApproveForGateAsync(IScenarioCluster cluster, int change, CancellationToken cancellationToken)
    {
        await cluster.ApproveAsync(change, "Code-Review", 2, "core", cancellationToken);
        await cluster.ApproveAsync(change, "Approved", 1, "core", cancellationToken);
    }

    /// <summary>History lines "job change result [tested with]" for assertions that print well.</summary>
    public static IEnumerable<string> Lines(IEnumerable<BuildRecord> builds) =>
        builds.Select(b => $"{b.Job} {b.Change} {b.Result} [{string.Join(" ", b.TestedWith)}]");
}

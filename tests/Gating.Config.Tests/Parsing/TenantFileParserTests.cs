using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Parsing;

namespace Gating.Config.Tests.Parsing;

public sealed class TenantFileParserTests
{
    private const string File = """
        - admin-rule:
            name: admins
            conditions:
              - groups: admins
        - authorization-rule:
            name: users
            conditions: [{sub: alice}, {sub: bob}]
        - global-semaphore: {name: gs, max: 4}
        - api-root:
            authentication-realm: r
            access-rules: [users]
        - tenant:
            name: t
            max-nodes-per-job: 10
            max-job-timeout: -1
            max-dependencies: 8
            max-changes-per-pipeline: 50
            exclude-unprotected-branches: true
            exclude-locked-branches: true
            default-parent: base-minimal
            default-ansible-version: '11'
            allowed-triggers: [gerrit]
            allowed-reporters: gerrit
            allowed-labels: [^ubuntu]
            disallowed-labels: [^windows]
            web-root: https://zuul.example.org/
            admin-rules: [admins]
            access-rules: [users]
            authentication-realm: r
            semaphores: [gs]
            max-oidc-ttl: 100
            default-oidc-ttl: 50
            allowed-oidc-issuers: [https://a]
            use-nodepool: false
            source:
              gerrit:
                config-projects:
                  - org/config:
                      load-branch: main
                untrusted-projects:
                  - org/jobs:
                      shadow: org/config
                      extra-config-paths: [zuul-tests.d/, extra.yaml]
                      include-branches: [^main$]
                      exclude-branches: [^old]
                      always-dynamic-branches: [^feature/]
                      implied-branch-matchers: false
                      configure-projects: [^org/]
                      exclude-unprotected-branches: false
                      exclude-locked-branches: true
                      allow-base-jobs: true
                      include-provider-config: true
                  - include: [job]
                    exclude: nodeset
                    projects:
                      - org/a
                      - org/b:
                          include: []
                  - org/plain
        """;

    [Fact]
    public void Every_tenant_attribute_and_project_option()
    {
        var (config, errors) = TenantFileParser.Parse(File, "main.yaml");
        Assert.DoesNotContain(errors, e => e.IsError);
        Assert.Equal(3, errors.Count(e => e.Code == ConfigErrorCodes.UnsupportedAttribute));
        var t = Assert.Single(config.Tenants);
        Assert.Equal((10, -1, 8, 50), (t.MaxNodesPerJob, t.MaxJobTimeout, t.MaxDependencies, t.MaxChangesPerPipeline));
        Assert.Equal("base-minimal", t.DefaultParent);
        Assert.Equal("11", t.DefaultAnsibleVersion);
        Assert.Equal(["gerrit"], t.AllowedReporters!.Value.ToArray());
        Assert.True(t.NewerAttributes.ContainsKey("use-nodepool"));
        Assert.Equal(2, config.AuthorizationRules.Length);
        Assert.True(config.AuthorizationRules[0].LegacyAdminRule);
        Assert.Equal(2, config.AuthorizationRules[1].Conditions.Length);
        Assert.Equal(4, config.GlobalSemaphores[0].Max);
        Assert.Equal("r", config.ApiRoot!.AuthenticationRealm);

        var projects = t.ProjectsInLoadOrder;
        Assert.Equal(["org/config", "org/jobs", "org/a", "org/b", "org/plain"], projects.Select(p => p.Name).ToArray());
        Assert.True(projects[0].Trusted);
        Assert.Equal("main", projects[0].LoadBranch);
        var jobs = projects[1];
        Assert.Equal(["org/config"], jobs.Shadow.ToArray());
        Assert.Equal(["zuul-tests.d/", "extra.yaml"], jobs.ExtraConfigPaths.ToArray());
        Assert.False(jobs.ImpliedBranchMatchers);
        Assert.True(jobs.AllowBaseJobs);
        Assert.True(jobs.Loads(ConfigObjectKind.Nodeset));
        var a = projects[2];
        Assert.True(a.Loads(ConfigObjectKind.Job));
        Assert.False(a.Loads(ConfigObjectKind.Project));
        var b = projects[3];
        Assert.False(b.Loads(ConfigObjectKind.Job));
        Assert.True(b.Loads(ConfigObjectKind.Pragma));
    }

    [Fact]
    public void Unknown_tenant_and_project_attributes_are_errors_with_locations()
    {
        var (config, errors) = TenantFileParser.Parse("- tenant:\n    name: t\n    colour: red\n- tenant:\n    name: u\n    source:\n      gerrit:\n        untrusted-projects:\n          - org/a: {shadows: x}\n", "main.yaml");
        Assert.Empty(config.Tenants);
        Assert.Equal([(3, 5), (9, 21)], errors.Select(e => (e.Line, e.Column)).ToArray());
        Assert.All(errors, e => Assert.Equal(ConfigErrorCodes.UnknownAttribute, e.Code));
    }

    [Fact]
    public void Bad_include_word_is_an_error()
    {
        var (_, errors) = TenantFileParser.Parse("- tenant:\n    name: t\n    source:\n      gerrit:\n        untrusted-projects:\n          - org/a: {include: [jobs]}\n", "main.yaml");
        Assert.Equal(ConfigErrorCodes.InvalidValue, Assert.Single(errors).Code);
    }
}

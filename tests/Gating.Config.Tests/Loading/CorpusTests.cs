using System.Text.RegularExpressions;
using Gating.Config.Errors;
using Gating.Config.Loading;

namespace Gating.Config.Tests.Loading;

/// <summary>
/// Loads the public corpus. Its README lists the references that cannot resolve inside it: 18 of the parent
/// names, 12 nodesets, 3 project-templates and 50 project-pipeline job names; pipelines and semaphores resolve.
/// </summary>
public sealed partial class CorpusTests
{
    private static readonly KeyValuePair<string, string>[] Repos =
        [.. CorpusLocator.Projects.Select(p => new KeyValuePair<string, string>(p, CorpusLocator.Repo(p)))];

    private static readonly string[] UnresolvedParents =
    [
        "base", "base-minimal", "cinder-tempest-lvm-multibackend", "devstack-plugin-ceph-multinode-tempest-py3",
        "devstack-plugin-ceph-tempest-py3", "grenade-multinode", "nox", "opendev-build-container-image",
        "opendev-buildset-registry", "opendev-buildset-registry-consumer", "opendev-promote-container-image",
        "opendev-promote-docs-base", "opendev-release-python", "opendev-tox-docs", "opendev-upload-container-image",
        "opendev-upload-git-mirror", "tempest-smoke-py3-osprofiler-redis", "whitebox-devstack-multinode",
    ];

    private static readonly string[] UnresolvedNodesets =
    [
        "centos-9-stream", "centos-9-stream-arm64", "debian-bookworm", "debian-bookworm-8GB", "debian-bookworm-arm64",
        "debian-trixie-8GB", "debian-trixie-arm64-8GB", "ubuntu-focal", "ubuntu-jammy", "ubuntu-jammy-arm64",
        "ubuntu-noble", "ubuntu-noble-arm64",
    ];

    private static readonly string[] UnresolvedTemplates = ["check-requirements", "openstackclient-plugin-jobs", "puppet-openstack-check-jobs"];

    private static readonly string[] SomeUnresolvedJobs = ["noop", "grenade", "opendev-buildset-registry", "infra-prod-service-zuul", "zuul-tox-docs", "upload-container-image"];

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex Quoted();

    /// <summary>The name a reference error is about: the last quoted name (parent, nodeset, template), or the first (job).</summary>
    private static string Name(ConfigError e)
    {
        var names = Quoted().Matches(e.Message).Select(m => m.Groups[1].Value).ToList();
        return e.Code is ConfigErrorCodes.UnknownJob ? names[0] : names[^1];
    }

    private static string WholeCorpusTenant => """
        - tenant:
            name: corpus
            source:
              gerrit:
                config-projects:
                  - openstack/project-config
                untrusted-projects:
                  - zuul/zuul-jobs:
                      shadow: openstack/project-config
                      extra-config-paths: [zuul-tests.d/]
                  - openstack/openstack-zuul-jobs
                  - openstack/devstack
                  - openstack/tempest
                  - openstack/nova
                  - zuul/zuul
        """;

    [Fact]
    public void Whole_corpus_in_one_tenant_reports_exactly_the_readme_s_unresolved_references()
    {
        string tenantFile = Path.Combine(Path.GetTempPath(), $"gating-corpus-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(tenantFile, WholeCorpusTenant);
        try
        {
            var result = ConfigCheck.Run(new ConfigCheckRequest(tenantFile, Repos, null, []));
            Assert.Equal(0, result.WarningCount);
            var byCode = result.Problems.Select(p => p.Error).ToLookup(e => e.Code);
            Assert.Equal(
                [ConfigErrorCodes.UnknownJob, ConfigErrorCodes.UnknownNodeset, ConfigErrorCodes.UnknownParent, ConfigErrorCodes.UnknownTemplate],
                byCode.Select(g => g.Key).Order(StringComparer.Ordinal).ToArray());
            Assert.Equal(UnresolvedParents, Names(byCode[ConfigErrorCodes.UnknownParent]));
            Assert.Equal(UnresolvedNodesets, Names(byCode[ConfigErrorCodes.UnknownNodeset]));
            Assert.Equal(UnresolvedTemplates, Names(byCode[ConfigErrorCodes.UnknownTemplate]));
            var jobs = Names(byCode[ConfigErrorCodes.UnknownJob]);
            Assert.Equal(50, jobs.Length);
            Assert.Subset(jobs.ToHashSet(), SomeUnresolvedJobs.ToHashSet());
            // Pinned occurrence counts: one error per reference.
            Assert.Equal((40, 108, 53, 140), (byCode[ConfigErrorCodes.UnknownParent].Count(), byCode[ConfigErrorCodes.UnknownNodeset].Count(),
                byCode[ConfigErrorCodes.UnknownTemplate].Count(), byCode[ConfigErrorCodes.UnknownJob].Count()));
            Assert.All(result.Problems, p =>
            {
                Assert.True(p.Error.Line > 0 && p.Error.Column > 0, p.ToString());
                Assert.True(File.Exists(p.DisplayPath), p.ToString());
                Assert.NotNull(p.Error.Project);
            });
            var layout = Assert.Single(result.Layouts);
            Assert.Equal(19, layout.Pipelines.Length);
            Assert.Equal(4, layout.Semaphores.Count);
            Assert.Contains("devstack", layout.Jobs.Keys);
            Assert.Equal(27, layout.Secrets.Count(s => s.Value.Source.Project == "openstack/project-config"));
        }
        finally
        {
            File.Delete(tenantFile);
        }
    }

    private static string[] Names(IEnumerable<ConfigError> errors) => [.. errors.Select(Name).Distinct().Order(StringComparer.Ordinal)];

    [Fact]
    public void Project_config_tenant_file_reports_only_unresolved_references_and_missing_repositories()
    {
        var result = ConfigCheck.Run(new ConfigCheckRequest(CorpusLocator.TenantFile, Repos, null, []));
        Assert.Equal(["opendev", "openstack", "pyca", "pypa", "vexxhost", "volvocars", "zuul"], result.Layouts.Select(l => l.Tenant.Name).Order().ToArray());
        var warningCodes = result.Problems.Where(p => !p.Error.IsError).Select(p => p.Error.Code).Distinct().Order().ToArray();
        Assert.Equal([ConfigErrorCodes.MissingRepository, ConfigErrorCodes.UnsupportedAttribute], warningCodes);
        Assert.All(result.Problems.Where(p => p.Error.Code == ConfigErrorCodes.UnsupportedAttribute), p => Assert.EndsWith("main.yaml", p.DisplayPath));
        foreach (var p in result.Problems.Where(p => p.Error.IsError))
        {
            Assert.True(p.Error.Line > 0, p.ToString());
            switch (p.Error.Code)
            {
                case ConfigErrorCodes.UnknownParent or ConfigErrorCodes.UnknownNodeset or ConfigErrorCodes.UnknownTemplate or ConfigErrorCodes.UnknownJob:
                    break;
                case ConfigErrorCodes.UnknownPipeline:
                    // The zuul tenant's config project (zuul/project-config, with its pipelines) is not in the corpus.
                    Assert.Equal("zuul", p.Tenant);
                    break;
                default:
                    Assert.Fail("unexpected problem: " + p);
                    break;
            }
        }
        var openstack = result.Layouts.Single(l => l.Tenant.Name == "openstack");
        var errors = openstack.Errors.Where(e => e.IsError).ToList();
        Assert.All(errors, e => Assert.Contains(e.Code, new[] { ConfigErrorCodes.UnknownParent, ConfigErrorCodes.UnknownNodeset, ConfigErrorCodes.UnknownTemplate, ConfigErrorCodes.UnknownJob }));
        Assert.Subset(UnresolvedTemplates.ToHashSet(), Names(errors.Where(e => e.Code == ConfigErrorCodes.UnknownTemplate)).ToHashSet());
        Assert.Subset(UnresolvedNodesets.ToHashSet(), Names(errors.Where(e => e.Code == ConfigErrorCodes.UnknownNodeset)).ToHashSet());
        Assert.Equal(1273, openstack.Errors.Count(e => e.Code == ConfigErrorCodes.MissingRepository));
    }

    [Fact]
    public void Corpus_yaml_features_load()
    {
        var result = ConfigCheck.Run(new ConfigCheckRequest(null, [], null, [CorpusLocator.Repo("zuul/zuul"), CorpusLocator.Repo("openstack/nova")]));
        var layout = Assert.Single(result.Layouts);
        // zuul/zuul: a queue, a chunked encrypted secret and an implied-name project stanza.
        Assert.True(layout.Queues.Values.Single().AllowCircularDependencies);
        var secret = Assert.Single(layout.Secrets.Values);
        var quay = (Gating.Config.Yaml.YamlMapping)((Gating.Config.Yaml.YamlMapping)secret.Data!).Get("quay.io")!;
        Assert.True(Assert.Single(Assert.IsType<Gating.Config.Yaml.YamlEncrypted>(quay.Get("password")).Chunks).Length > 500);
        Assert.NotEmpty(layout.GetProjectStanzas(CorpusLocator.Repo("zuul/zuul")));
        // nova: jobs built with << merge keys keep the merged attributes.
        Assert.True(layout.Jobs.Count > 20);
        Assert.DoesNotContain(result.Problems, p => p.Error.Code is ConfigErrorCodes.YamlSyntax or ConfigErrorCodes.DuplicateKey or ConfigErrorCodes.UnknownAttribute or ConfigErrorCodes.InvalidValue);
    }
}

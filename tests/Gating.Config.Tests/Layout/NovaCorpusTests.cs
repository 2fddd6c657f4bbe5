using Gating.Config.Errors;
using Gating.Config.Freezing;
using Gating.Model;
using static Gating.Config.Tests.Layout.LayoutFixture;

namespace Gating.Config.Tests.Layout;

/// <summary>
/// Freezes nova's whole check job graph from the corpus (openstack tenant, stubbed base job and nodesets; see
/// <see cref="CorpusStub"/>). Expectations are read off the corpus files by hand.
/// </summary>
public sealed class NovaCorpusTests : IClassFixture<NovaCorpusTests.Corpus>
{
    /// <summary>Loads the corpus once for the class.</summary>
    public sealed class Corpus : IDisposable
    {
        private readonly DirectoryInfo _stubs = Directory.CreateTempSubdirectory("gating-corpus-stub-");

        public Corpus() => Layout = FreezeLayout.From(CorpusStub.Load(CorpusStub.CorpusRoot(), _stubs.FullName));

        public FreezeLayout Layout { get; }

        public void Dispose() => _stubs.Delete(recursive: true);
    }

    private readonly FreezeLayout _layout;

    public NovaCorpusTests(Corpus corpus) => _layout = corpus.Layout;

    private JobGraphResult Check(params string[] files) =>
        new JobFreezer(_layout).FreezeJobGraph(new FreezeRequest("openstack/nova", "master", "check", files.Length == 0 ? null : [.. files]));

    [Fact]
    public void Check_graph_has_every_job_whose_chain_resolves_inside_the_corpus()
    {
        var result = Check();
        Assert.Equal<string>(
        [
            "test-release-openstack", "tempest-integrated-compute", "openstack-tox-cover", "openstack-tox-pep8",
            "openstack-tox-py311", "openstack-tox-py313", "openstack-tox-py314", "nova-live-migration",
            "nova-graceful-shutdown", "nova-lvm", "nova-multi-cell", "nova-next", "nova-alt-configurations",
            "nova-tox-validate-backport", "nova-tox-functional-py311", "nova-tox-functional-py313",
            "nova-tox-functional-py313-threading", "tempest-ipv6-only", "nova-tox-py313-threading",
        ], result.Graph.Jobs.Select(j => j.Name));
        Assert.Empty(result.Graph.Edges);
    }

    [Fact]
    public void The_only_errors_are_the_corpus_gaps_with_locations()
    {
        var errors = Check().Errors;
        // Jobs and parents from repositories the corpus does not include (its README lists these gaps).
        Assert.Equal<string>(
        [
            "unknown-parent openstack-tox-docs->opendev-tox-docs",
            "unknown-job grenade-skip-level-always",
            "unknown-job openstacksdk-functional-devstack",
            "unknown-job ironic-tempest-bios-ipmi-autodetect",
            "unknown-parent nova-ceph-multistore->devstack-plugin-ceph-tempest-py3",
            "unknown-parent nova-whitebox->whitebox-devstack-multinode",
            "unknown-parent nova-live-migration-ceph->devstack-plugin-ceph-multinode-tempest-py3",
            "unknown-parent nova-grenade-multinode->grenade-multinode",
            "unknown-job cyborg-tempest-py3",
            "unknown-job barbican-tempest-plugin-simple-crypto",
        ], errors.Select(Describe));
        Assert.All(errors, e => Assert.True(e.Line > 0 && e.Project is not null, e.ToString()));
        var ironic = errors.Single(e => e.Message.Contains("ironic-tempest", StringComparison.Ordinal));
        Assert.Equal((".zuul.yaml", 1017, "openstack/nova"), (ironic.File, ironic.Line, ironic.Project));
    }

    private static string Describe(ConfigError e)
    {
        var quoted = e.Message.Split('\'');
        return e.Code == ConfigErrorCodes.UnknownParent ? $"{e.Code} {quoted[1]}->{quoted[3]}" : $"{e.Code} {quoted[1]}";
    }

    [Fact]
    public void Nova_functional_py313_is_frozen_as_the_corpus_defines_it()
    {
        var job = Check().Graph.Find("nova-tox-functional-py313")!;
        Assert.Equal<string>(
            ["base", "unittests-fips", "tox-fips", "openstack-tox", "openstack-tox-functional-py313", "nova-tox-functional-py313", "nova-tox-functional-py313"],
            job.InheritancePath.Select(s => s.Job));
        Assert.Equal("opendev/base-jobs", job.InheritancePath[0].Project);
        Assert.Equal("openstack/nova", job.InheritancePath[^1].Project);
        Assert.Equal(3600, job.Timeout);
        Assert.Equal("debian-trixie-8GB", job.Nodeset.Name);
        Assert.Equal("11", job.AnsibleVersion);
        // vars: the child's zuul_work_dir and bindep_profile over the parent's tox_envlist and python_version.
        Assert.Equal("src/opendev.org/openstack/nova", Var(job.Vars["zuul_work_dir"]));
        Assert.Equal("test py313", Var(job.Vars["bindep_profile"]));
        Assert.Equal("functional-py313", Var(job.Vars["tox_envlist"]));
        Assert.Equal("3.13", Var(job.Vars["python_version"]));
        Assert.Equal(VarScalarKind.String, ((VarScalar)job.Vars["python_version"]!).Kind);
        Assert.Contains(job.RequiredProjects, p => p.Name == "openstack/placement");
        Assert.Contains(job.RequiredProjects, p => p.Name == "openstack/nova");
        // The stub base job's pre-run runs first (trusted), the tox run playbook comes from zuul-jobs (untrusted).
        Assert.Equal(("playbooks/base/pre.yaml", "opendev/base-jobs", true), (job.PreRun[0].Path, job.PreRun[0].Project, job.PreRun[0].Trusted));
        Assert.Equal(("playbooks/tox/run.yaml", "zuul/zuul-jobs", false), (job.Run[0].Path, job.Run[0].Project, job.Run[0].Trusted));
        Assert.Equal("playbooks/base/post.yaml", job.PostRun[^1].Path);
        Assert.Equal<string>(["^.*\\.rst$", "^api-.*$", "^doc/(source|test)/.*$", "^nova/locale/.*$", "^\\.pre-commit-config\\.yaml$", "^releasenotes/.*$"], job.IrrelevantFiles);
    }

    [Fact]
    public void Project_pipeline_variants_of_nova_apply_last()
    {
        var graph = Check().Graph;
        Assert.False(graph.Find("nova-tox-validate-backport")!.Voting);
        Assert.Equal(6000, graph.Find("openstack-tox-cover")!.Timeout);
        Assert.True(graph.Find("nova-next")!.Voting);
    }

    [Fact]
    public void A_docs_only_change_drops_the_jobs_whose_irrelevant_files_cover_it()
    {
        var names = Check("doc/source/index.rst").Graph.Jobs.Select(j => j.Name).ToList();
        Assert.DoesNotContain("tempest-ipv6-only", names);
        Assert.DoesNotContain("nova-tox-functional-py313", names);
        Assert.DoesNotContain("nova-next", names);
        var code = Check("nova/compute/manager.py").Graph.Jobs.Select(j => j.Name).ToList();
        Assert.Contains("tempest-ipv6-only", code);
        Assert.Contains("nova-tox-functional-py313", code);
        // files matchers: test-release-openstack runs for packaging files only, nova-lvm for libvirt/privsep code.
        Assert.Equal(17, code.Count);
        Assert.DoesNotContain("test-release-openstack", code);
        Assert.DoesNotContain("nova-lvm", code);
        Assert.Contains("nova-lvm", Check("nova/virt/libvirt/driver.py").Graph.Jobs.Select(j => j.Name));
        Assert.Contains("test-release-openstack", Check("setup.cfg").Graph.Jobs.Select(j => j.Name));
    }

    [Fact]
    public void Every_project_of_the_corpus_freezes_in_every_pipeline_without_an_exception()
    {
        var freezer = new JobFreezer(_layout);
        var projects = _layout.Source.ProjectStanzas.Keys.Order(StringComparer.Ordinal).ToList();
        var graphs = 0;
        var jobs = 0;
        foreach (var project in projects)
        {
            foreach (var pipeline in _layout.Pipelines.Keys)
            {
                var result = freezer.FreezeJobGraph(new FreezeRequest(project, "master", pipeline, ["setup.py", "doc/index.rst"]));
                Assert.All(result.Errors, e => Assert.False(string.IsNullOrEmpty(e.Code)));
                graphs++;
                jobs += result.Graph.Jobs.Length;
            }
        }
        Assert.True(projects.Count > 1000, $"only {projects.Count} projects have stanzas");
        Assert.True(jobs > 1000, $"only {jobs} jobs frozen in {graphs} graphs");
    }
}

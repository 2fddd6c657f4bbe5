using System.Text;
using Gating.Config.Loading;

namespace Gating.Config.Tests.Layout;

/// <summary>
/// The corpus's openstack tenant, loaded the way <c>gating config check</c> loads it, with stubs for what the
/// corpus lacks (its README): opendev/base-jobs gets the <c>base</c> and <c>base-minimal</c> jobs, and
/// opendev/zuul-providers a one-node nodeset for every nodeset name that is referenced but not defined.
/// Shared by the corpus tests and bench/FreezeBench (linked source).
/// </summary>
internal static class CorpusStub
{
    public const string BaseJobs = """
        - job:
            name: base
            parent: null
            description: Stub of opendev/base-jobs' base job, which the corpus does not include.
            pre-run: playbooks/base/pre.yaml
            post-run: playbooks/base/post.yaml
            roles: [{zuul: zuul/zuul-jobs}]
            timeout: 1800
            post-timeout: 1800
            nodeset: ubuntu-noble
        - job:
            name: base-minimal
            parent: null
            description: Stub of opendev/base-jobs' base-minimal job.
            pre-run: playbooks/base-minimal/pre.yaml
            post-run: playbooks/base-minimal/post.yaml
            timeout: 1800
            nodeset: ubuntu-noble
        """;

    /// <summary>Finds the corpus (the shared folder, or GATING_CORPUS), failing with a clear message when absent.</summary>
    public static string CorpusRoot()
    {
        var root = Environment.GetEnvironmentVariable("GATING_CORPUS") ?? "/work/shared/corpus";
        if (!Directory.Exists(Path.Combine(root, "openstack__nova")))
        {
            throw new InvalidOperationException($"the Zuul corpus is not at {root}; set GATING_CORPUS to its folder");
        }
        return root;
    }

    /// <summary>The config check request for the openstack tenant with the corpus repos and the stubs under <paramref name="stubDir"/>.</summary>
    public static ConfigCheckRequest Request(string corpus, string stubDir)
    {
        var repos = new List<KeyValuePair<string, string>>
        {
            new("openstack/project-config", Path.Combine(corpus, "openstack__project-config")),
            new("zuul/zuul-jobs", Path.Combine(corpus, "zuul__zuul-jobs")),
            new("openstack/openstack-zuul-jobs", Path.Combine(corpus, "openstack__openstack-zuul-jobs")),
            new("openstack/tempest", Path.Combine(corpus, "openstack__tempest")),
            new("openstack/devstack", Path.Combine(corpus, "openstack__devstack")),
            new("openstack/nova", Path.Combine(corpus, "openstack__nova")),
            new("opendev/base-jobs", Path.Combine(stubDir, "base-jobs")),
            new("opendev/zuul-providers", Path.Combine(stubDir, "zuul-providers")),
        };
        return new ConfigCheckRequest(Path.Combine(corpus, "openstack__project-config", "zuul", "main.yaml"), repos, null, [], "openstack");
    }

    /// <summary>Writes the stubs into <paramref name="stubDir"/> and loads the openstack tenant.</summary>
    public static TenantLayout Load(string corpus, string stubDir)
    {
        var baseJobs = Path.Combine(stubDir, "base-jobs", "zuul.d");
        var providers = Path.Combine(stubDir, "zuul-providers", "zuul.d");
        Directory.CreateDirectory(baseJobs);
        Directory.CreateDirectory(providers);
        File.WriteAllText(Path.Combine(baseJobs, "jobs.yaml"), BaseJobs);
        File.WriteAllText(Path.Combine(providers, "nodesets.yaml"), "[]\n");
        // First load finds the nodeset names the corpus references without defining them.
        var first = ConfigCheck.Run(Request(corpus, stubDir)).Layouts.Single();
        var missing = first.Jobs.Values.SelectMany(v => v)
            .Select(j => j.Nodeset?.Name)
            .Concat(first.Nodesets.Values.SelectMany(n => n.Alternatives.Select(a => a.Name)))
            .OfType<string>()
            .Where(n => !first.Nodesets.ContainsKey(n))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var text = new StringBuilder();
        foreach (var name in missing)
        {
            text.Append("- nodeset:\n    name: ").Append(name).Append("\n    nodes:\n      - name: ").Append(name)
                .Append("\n        label: ").Append(name).Append('\n');
        }
        File.WriteAllText(Path.Combine(providers, "nodesets.yaml"), missing.Count == 0 ? "[]\n" : text.ToString());
        return ConfigCheck.Run(Request(corpus, stubDir)).Layouts.Single();
    }
}

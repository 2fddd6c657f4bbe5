using System.Diagnostics;
using Gating.Config.Loading;
using Gating.Config.Model;
using Gating.Config.Parsing;

// Config loading benchmark: in-process median of 5 loads after a warm-up, and peak memory.
//   (a) the `openstack` tenant of the corpus tenant file; projects without a repo in the corpus load as empty
//   (b) the synthetic tenant of ../shared/bench/synthetic-tenant.py (2,000 projects, 10,003 jobs)
//   (c) re-layout of (b) after one project's config changes
// usage: dotnet run -c Release --project bench/ConfigLoadBench [-- CORPUS_DIR SYNTHETIC_DIR]
string corpus = args.Length > 0 ? args[0] : FindShared("corpus");
string synthetic = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "gating-synthetic-tenant");
if (!File.Exists(Path.Combine(synthetic, "main.yaml")))
{
    string script = Path.Combine(FindShared("bench"), "synthetic-tenant.py");
    using var p = Process.Start("python3", [script, synthetic])!;
    p.WaitForExit();
}

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.Version}");
string a = args.Length > 2 ? args[2] : "all";

if (a is "all" or "a")
{
    var (tenantFile, _) = TenantFileParser.Parse(File.ReadAllText(Path.Combine(corpus, "openstack__project-config/zuul/main.yaml")), "main.yaml");
    var openstack = tenantFile.Tenants.Single(t => t.Name == "openstack");
    var source = new CorpusSource(corpus);
    Measure("(a) openstack tenant (corpus)", () => TenantLoader.Load(openstack, source, tenantFile.GlobalSemaphores));
}
if (a is "all" or "b")
{
    var (tenantFile, _) = TenantFileParser.Parse(File.ReadAllText(Path.Combine(synthetic, "main.yaml")), "main.yaml");
    var tenant = tenantFile.Tenants.Single();
    var source = new DirectoryRepositorySource(new Dictionary<string, IProjectRepository>(), Path.Combine(synthetic, "repos"));
    var layout = Measure("(b) synthetic tenant", () => TenantLoader.Load(tenant, source, tenantFile.GlobalSemaphores));
    Console.WriteLine($"    jobs {layout.Jobs.Values.Sum(v => v.Length)}, project stanzas {layout.ProjectStanzas.Values.Sum(v => v.Length) + layout.RegexProjectStanzas.Length}, errors {layout.Errors.Count(e => e.IsError)}");

    // (c) one project's .zuul.yaml changes (a job gets a new variable); only it is parsed again.
    var changed = layout.LoadedBranches.First(b => !b.Project.Trusted);
    string root = Path.Combine(synthetic, "repos", changed.Project.Name);
    string text = File.ReadAllText(Path.Combine(root, ".zuul.yaml")).Replace("vars:", "vars:\n      changed_by_bench: true", StringComparison.Ordinal);
    var relaid = Measure("(c) re-layout after one project changes", () => TenantLoader.Relayout(layout, changed.Project.Name, changed.Branch, [new ConfigFileText(".zuul.yaml", text)]));
    Console.WriteLine($"    jobs {relaid.Jobs.Values.Sum(v => v.Length)}, errors {relaid.Errors.Count(e => e.IsError)}");
}

static T Measure<T>(string name, Func<T> load)
{
    var warm = load();
    warm = default!;
    var times = new List<double>();
    var cpu = new List<double>();
    using var process = Process.GetCurrentProcess();
    for (int i = 0; i < 5; i++)
    {
        // Each load starts from a collected heap, so the peak is that of one load, not of the garbage of five.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        warm = load();
        times.Add(sw.Elapsed.TotalMilliseconds);
        process.Refresh();
        cpu.Add((process.TotalProcessorTime - cpu0).TotalMilliseconds);
    }
    times.Sort();
    cpu.Sort();
    process.Refresh();
    // On a shared, overloaded machine wall time includes waiting for a core; CPU time is the work done.
    Console.WriteLine($"{name}: median wall {times[2]:F1} ms (min {times[0]:F1}, max {times[4]:F1}), median CPU {cpu[2]:F1} ms (min {cpu[0]:F1}); peak working set {process.PeakWorkingSet64 / (1024.0 * 1024):F0} MiB, managed heap {GC.GetTotalMemory(false) / (1024.0 * 1024):F0} MiB");
    return warm;
}

static string FindShared(string name)
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Gating.sln")))
        {
            string candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", name));
            if (Directory.Exists(candidate)) return candidate;
        }
    }
    return Path.Combine("/work/shared", name);
}

/// <summary>Corpus folders `owner__repo` as projects `owner/repo`; every other project is an empty repository.</summary>
sealed class CorpusSource(string corpus) : IRepositorySource
{
    private static readonly MemoryRepository Empty = MemoryRepository.Of(new Dictionary<string, string>());

    public IProjectRepository? Find(string projectName)
    {
        string dir = Path.Combine(corpus, projectName.Replace("/", "__", StringComparison.Ordinal));
        return Directory.Exists(dir) ? new DirectoryRepository(dir) : Empty;
    }
}

using Gating.Config.Errors;
using Gating.Config.Loading;
using Gating.Config.Model;
using Gating.Config.Parsing;
using Gating.Config.Yaml;

namespace Gating.Config.Tests.Loading;

/// <summary>
/// Thousands of mutated and truncated corpus files (deterministic seed): no exception escapes the loader and
/// every problem has a location.
/// </summary>
public sealed class FuzzTests
{
    // Smaller corpus files, so that thousands of loads stay fast; together they hold every stanza kind and
    // the YAML features of the corpus (anchors, merge keys, encrypted chunks, block scalars, regex mappings).
    private static readonly string[] Files =
    [
        "zuul__zuul/.zuul.yaml",
        "openstack__project-config/zuul.d/pipelines.yaml",
        "openstack__openstack-zuul-jobs/zuul.d/secrets.yaml",
        "openstack__openstack-zuul-jobs/zuul.d/nodesets.yaml",
        "openstack__openstack-zuul-jobs/zuul.d/project.yaml",
        "openstack__tempest/zuul.d/base.yaml",
        "openstack__tempest/zuul.d/stable-jobs.yaml",
        "openstack__tempest/zuul.d/tempest-specific.yaml",
        "zuul__zuul-jobs/zuul.d/general-jobs.yaml",
        "zuul__zuul-jobs/zuul.d/python-jobs.yaml",
        "zuul__zuul-jobs/zuul.d/terraform-jobs.yaml",
        "openstack__project-config/zuul.d/starlingx-jobs.yaml",
    ];

    private const int MutationsPerKind = 36;

    public static IEnumerable<object[]> FileNames => Files.Select(f => new object[] { f });

    [Theory]
    [MemberData(nameof(FileNames))]
    public void Mutated_files_load_without_exceptions_and_every_problem_has_a_location(string file)
    {
        string text = File.ReadAllText(Path.Combine(CorpusLocator.Root, file));
        var random = new Random(file.Length * 7919 + 17);
        int count = 0;
        foreach (var mutant in Mutants(text, random))
        {
            count++;
            Check(file, mutant, trusted: count % 2 == 0);
        }
        Assert.Equal(5 * MutationsPerKind, count);
    }

    [Fact]
    public void Mutated_tenant_files_parse_without_exceptions_and_every_problem_has_a_location()
    {
        string text = File.ReadAllText(CorpusLocator.TenantFile);
        int count = 0;
        // Every third mutant of each kind: the tenant file is large and the file fuzz above covers the YAML layer.
        foreach (var mutant in Mutants(text, new Random(4242)).Where((_, i) => i % 3 == 0))
        {
            count++;
            var (_, errors) = TenantFileParser.Parse(mutant, "main.yaml");
            Assert.All(errors, e => Assert.True(e.Line >= 1 && e.Column >= 1, $"problem without a location: {e}"));
        }
        Assert.Equal(5 * MutationsPerKind / 3, count);
    }

    [Fact]
    public void There_are_at_least_2000_mutants() => Assert.True(Files.Length * 5 * MutationsPerKind >= 2000);

    private static void Check(string file, string text, bool trusted)
    {
        var errors = new List<ConfigError>();
        if (file.EndsWith("main.yaml", StringComparison.Ordinal))
        {
            var (config, tenantErrors) = TenantFileParser.Parse(text, file);
            errors.AddRange(tenantErrors);
            foreach (var tenant in config.Tenants)
            {
                errors.AddRange(TenantLoader.Load(tenant, new EmptySource()).Errors.Where(e => e.Code != ConfigErrorCodes.MissingRepository));
            }
        }
        else
        {
            var project = new TenantProjectConfig { Name = "org/fuzz", Connection = "gerrit", Trusted = trusted, Location = new SourceLocation("main.yaml", 1, 1) };
            var parsed = TenantLoader.ParseBranch(new BranchContext(project, "master", !trusted, 0), [new ConfigFileText(file, text)]);
            var tenant = new TenantConfig { Name = "t", Location = new SourceLocation("main.yaml", 1, 1), Sources = [new TenantSourceConfig("gerrit", [], [project], new SourceLocation("main.yaml", 1, 1))] };
            var layout = LayoutBuilder.Build(tenant, [new LoadedBranch(project, "master", parsed)]);
            errors.AddRange(layout.Errors);
        }
        foreach (var e in errors)
        {
            Assert.True(e.Line >= 1 && e.Column >= 1 && e.File.Length > 0, $"problem without a location: {e}");
            Assert.False(e.Code == ConfigErrorCodes.InternalError, $"internal error: {e}");
        }
    }

    private sealed class EmptySource : IRepositorySource
    {
        public IProjectRepository? Find(string projectName) => MemoryRepository.Of(new Dictionary<string, string>());
    }

    private static IEnumerable<string> Mutants(string text, Random random)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < MutationsPerKind; i++)
        {
            yield return text[..random.Next(text.Length)];
        }
        for (int i = 0; i < MutationsPerKind; i++)
        {
            var copy = lines.ToList();
            int at = random.Next(copy.Count);
            int n = 1 + random.Next(3);
            copy.RemoveRange(at, Math.Min(n, copy.Count - at));
            yield return string.Join('\n', copy);
        }
        for (int i = 0; i < MutationsPerKind; i++)
        {
            var copy = lines.ToList();
            int at = random.Next(copy.Count);
            copy.Insert(at, copy[at]);
            yield return string.Join('\n', copy);
        }
        for (int i = 0; i < MutationsPerKind; i++)
        {
            var copy = lines.ToArray();
            int a = random.Next(copy.Length);
            int b = Math.Min(copy.Length - 1, a + 1 + random.Next(5));
            string ia = Indent(copy[a]);
            string ib = Indent(copy[b]);
            copy[a] = ib + copy[a].TrimStart(' ');
            copy[b] = ia + copy[b].TrimStart(' ');
            yield return string.Join('\n', copy);
        }
        const string alphabet = ":-{}[]&*!|>'\"#%@`, \t\n\0abc01.<~";
        for (int i = 0; i < MutationsPerKind; i++)
        {
            var chars = text.ToCharArray();
            int edits = 1 + random.Next(8);
            for (int k = 0; k < edits; k++)
            {
                chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
            }
            yield return new string(chars);
        }
    }

    private static string Indent(string line) => line[..(line.Length - line.TrimStart(' ').Length)];
}

using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Config.Loading;
using Gating.Config.Parsing;

namespace Gating.Config.Tests.Loading;

public sealed class ConfigFileDiscoveryTests
{
    private static (List<string> Paths, IReadOnlyList<ConfigError> Errors) Discover(Dictionary<string, string> files, params string[] extra)
    {
        var branch = MemoryRepository.Of(files).OpenBranch("master");
        var sink = new ErrorSink();
        var found = ConfigFileDiscovery.Read(branch, extra, sink);
        return (found.Select(f => f.Path).ToList(), sink.All);
    }

    [Fact]
    public void First_config_root_wins_and_the_others_are_warned_about()
    {
        var (paths, errors) = Discover(new()
        {
            [".zuul.yaml"] = "", ["zuul.d/a.yaml"] = "", ["zuul.yaml"] = "",
        });
        Assert.Equal(["zuul.yaml"], paths);
        Assert.Equal(2, errors.Count(e => e.Code == ConfigErrorCodes.MultipleConfigRoots && !e.IsError));
    }

    [Theory]
    [InlineData("zuul.d/x.yaml")]
    [InlineData(".zuul.yaml")]
    [InlineData(".zuul.d/x.yaml")]
    public void Each_root_is_found(string path) => Assert.Equal([path], Discover(new() { [path] = "" }).Paths);

    [Fact]
    public void Directories_are_read_recursively_in_sorted_path_order_skipping_zuul_ignore_and_non_yaml()
    {
        var (paths, _) = Discover(new()
        {
            ["zuul.d/b.yaml"] = "", ["zuul.d/a/z.yaml"] = "", ["zuul.d/a.yaml"] = "", ["zuul.d/notes.txt"] = "",
            ["zuul.d/skip/x.yaml"] = "", ["zuul.d/skip/.zuul.ignore"] = "", ["zuul.d/c.yml"] = "",
        });
        Assert.Equal(["zuul.d/a.yaml", "zuul.d/a/z.yaml", "zuul.d/b.yaml"], paths);
    }

    [Fact]
    public void Extra_config_paths_add_files_and_directories()
    {
        var (paths, _) = Discover(new()
        {
            ["zuul.d/a.yaml"] = "", ["zuul-tests.d/t.yaml"] = "", ["extra.yaml"] = "", ["unlisted.d/u.yaml"] = "",
        }, "zuul-tests.d/", "extra.yaml", "absent/");
        Assert.Equal(["zuul.d/a.yaml", "zuul-tests.d/t.yaml", "extra.yaml"], paths);
    }

    [Fact]
    public void Directory_repository_reads_the_disk()
    {
        string dir = Path.Combine(Path.GetTempPath(), "gating-discovery-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(dir, "zuul.d", "sub"));
        try
        {
            File.WriteAllText(Path.Combine(dir, "zuul.d", "b.yaml"), "- job: {name: b}\n");
            File.WriteAllText(Path.Combine(dir, "zuul.d", "sub", "a.yaml"), "- job: {name: a}\n");
            var found = ConfigFileDiscovery.Read(new DirectoryRepository(dir), [], new ErrorSink());
            Assert.Equal(["zuul.d/b.yaml", "zuul.d/sub/a.yaml"], found.Select(f => f.Path).ToArray());
            Assert.Equal("- job: {name: a}\n", found[1].Text);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

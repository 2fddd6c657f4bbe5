using System.Text.Json;
using Gating.Cli;

namespace Gating.Config.Tests.Cli;

/// <summary>`gating config check`: output format, JSON, exit codes (0 clean, 1 errors, 2 usage).</summary>
public sealed class ConfigCheckCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "gating-check-" + Guid.NewGuid().ToString("N"));

    public ConfigCheckCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await GatingCommandLine.RunAsync(["config", "check", .. args], stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Write(string relative, string text)
    {
        string path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Clean_config_exits_0_with_a_summary_line()
    {
        string repo = Path.Combine(_dir, "repo");
        Write("repo/zuul.yaml", "- job: {name: a, parent: null}\n");
        var (code, output, _) = await Run(repo);
        Assert.Equal(0, code);
        Assert.Equal("0 errors, 0 warnings\n", output.Replace("\r", ""));
    }

    [Fact]
    public async Task Problems_print_path_line_column_severity_code_and_message_then_exit_1()
    {
        string file = Write("conf/jobs.yaml", "- job:\n    name: a\n    parent: missing\n    colour: red\n");
        var (code, output, _) = await Run(file);
        Assert.Equal(1, code);
        var lines = output.Replace("\r", "").TrimEnd('\n').Split('\n');
        Assert.Equal($"{file}:4:5: error[unknown-attribute]: unknown job attribute 'colour'", lines[0]);
        Assert.Equal("1 errors, 0 warnings", lines[^1]);
    }

    [Fact]
    public async Task Warnings_alone_exit_0()
    {
        string file = Write("w.yaml", "- job: {name: a, parent: null, semaphore: s}\n");
        var (code, output, _) = await Run(file);
        Assert.Equal(0, code);
        Assert.Contains(": warning[deprecated-attribute]: ", output);
        Assert.Contains("0 errors, 2 warnings", output);
    }

    [Fact]
    public async Task Paths_are_trusted_projects_loaded_in_order_and_config_dirs_work()
    {
        Write("one/zuul.d/base.yaml", "- job: {name: base, parent: null}\n");
        Write("two/jobs.yaml", "- job: {name: child, parent: base}\n");
        var (code, output, _) = await Run(Path.Combine(_dir, "one"), Path.Combine(_dir, "two"));
        Assert.Equal(0, code);
        Assert.EndsWith("0 errors, 0 warnings\n", output.Replace("\r", ""));
    }

    [Fact]
    public async Task Tenant_with_repo_and_repos_root_and_missing_projects()
    {
        string tenant = Write("main.yaml", """
            - tenant:
                name: t
                source:
                  gerrit:
                    config-projects:
                      - org/config
                    untrusted-projects:
                      - org/app
                      - org/gone
            """);
        Write("elsewhere/config/zuul.yaml", "- job: {name: base, parent: null}\n");
        Write("repos/org/app/.zuul.yaml", "- job: {name: app, parent: nope}\n");
        var (code, output, _) = await Run("--tenant", tenant, "--repo", $"org/config={Path.Combine(_dir, "elsewhere", "config")}", "--repos-root", Path.Combine(_dir, "repos"));
        Assert.Equal(1, code);
        Assert.True(output.Contains($"{Path.Combine(_dir, "repos", "org/app", ".zuul.yaml")}:1:28: error[unknown-parent]: job 'app': parent job 'nope' is not defined", StringComparison.Ordinal), output);
        Assert.Contains($"{tenant}:9:13: warning[missing-repository]:", output);
        Assert.Contains("1 errors, 1 warnings", output);
    }

    [Fact]
    public async Task Json_output_is_one_document()
    {
        string file = Write("j.yaml", "- job: {name: a, parent: missing}\n");
        var (code, output, _) = await Run("--json", file);
        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(output);
        var problem = doc.RootElement.GetProperty("problems")[0];
        Assert.Equal("unknown-parent", problem.GetProperty("code").GetString());
        Assert.Equal("error", problem.GetProperty("severity").GetString());
        Assert.Equal(1, problem.GetProperty("line").GetInt32());
        Assert.Equal(file, problem.GetProperty("path").GetString());
        Assert.Equal(1, doc.RootElement.GetProperty("errors").GetInt32());
        Assert.Equal(0, doc.RootElement.GetProperty("warnings").GetInt32());
    }

    [Theory]
    [InlineData]
    [InlineData("--repo", "bad")]
    [InlineData("--tenant", "/nonexistent/main.yaml")]
    [InlineData("/nonexistent/path")]
    [InlineData("--no-such-option", "x")]
    public async Task Bad_usage_exits_2(params string[] args)
    {
        var (code, _, error) = await Run(args);
        Assert.Equal(GatingCommandLine.UsageError, code);
        Assert.NotEmpty(error);
    }

    [Fact]
    public async Task Tenant_name_selects_one_tenant_and_an_unknown_one_is_an_error()
    {
        string tenant = Write("multi.yaml", "- tenant: {name: a, source: {}}\n- tenant: {name: b, source: {}}\n");
        Assert.Equal(0, (await Run("--tenant", tenant, "--tenant-name", "b")).Code);
        var (code, output, _) = await Run("--tenant", tenant, "--tenant-name", "c");
        Assert.Equal(1, code);
        Assert.Contains("error[unknown-tenant]", output);
    }

    [Fact]
    public async Task Readme_sample_tenant_is_clean()
    {
        string root = CorpusLocator.RepoRoot;
        var (code, output, _) = await Run("--tenant", Path.Combine(root, "samples/tenant/main.yaml"), "--repos-root", Path.Combine(root, "samples/tenant/repos"));
        Assert.Equal("0 errors, 0 warnings\n", output.Replace("\r", ""));
        Assert.Equal(0, code);
    }
}

using Gating.Cli;

namespace Gating.Config.Tests.Layout;

/// <summary>`gating config freeze-job` and `gating config job-graph` end to end on a small repository.</summary>
public sealed class FreezeCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("gating-freeze-cli-");

    public FreezeCommandTests()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "zuul.yaml"), LayoutFixture.ConfigProject + """

            - job: {name: build, run: build.yaml, files: ['^src/']}
            - job: {name: test, run: test.yaml, dependencies: [build], vars: {level: unit}}
            - job: {name: broken, run: x.yaml, dependencies: [nowhere]}
            - project:
                name: app
                check: {jobs: [build, test]}
                post: {jobs: [broken]}
            """);
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await GatingCommandLine.RunAsync(["config", .. args, _dir.FullName], stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Freeze_job_prints_the_frozen_job_and_exits_0()
    {
        var (code, output, error) = await Run("freeze-job", "--job", "test", "--project", "app", "--pipeline", "check");
        Assert.True(code == 0, error);
        Assert.StartsWith("Job: test\nBranch: master\n", output);
        Assert.Contains("  run: " + _dir.FullName + "/test.yaml [trusted, branch master, level 1]", output);
        Assert.Contains("  level: unit\n", output);
        Assert.Contains("Dependencies: build\n", output);
    }

    [Fact]
    public async Task Freeze_job_reports_a_job_not_in_the_pipeline_with_exit_1_and_bad_usage_with_2()
    {
        var (code, _, error) = await Run("freeze-job", "--job", "broken", "--project", "app", "--pipeline", "check");
        Assert.Equal(1, code);
        Assert.Contains("error[unknown-job]", error);
        var usage = await GatingCommandLine.RunAsync(["config", "freeze-job", "--job", "x", "--project", "app"], TextWriter.Null, TextWriter.Null, CancellationToken.None);
        Assert.Equal(GatingCommandLine.UsageError, usage);
    }

    [Fact]
    public async Task Job_graph_prints_text_dot_and_json_and_applies_files()
    {
        var (code, text, _) = await Run("job-graph", "--project", "app", "--pipeline", "check");
        Assert.Equal(0, code);
        Assert.Equal("build\ntest <- build\n2 jobs, 1 dependencies\n", text);
        var (_, dot, _) = await Run("job-graph", "--project", "app", "--pipeline", "check", "--format", "dot");
        Assert.Contains("\"build\" -> \"test\";", dot);
        var (_, json, _) = await Run("job-graph", "--project", "app", "--pipeline", "check", "--format", "json");
        Assert.Contains("\"depends_on\": \"build\"", json);
        // build does not match README, but test hard-depends on it, so it still runs.
        var (_, files, _) = await Run("job-graph", "--project", "app", "--pipeline", "check", "--file", "README");
        Assert.Equal("build\ntest <- build\n2 jobs, 1 dependencies\n", files);
    }

    [Fact]
    public async Task Job_graph_with_a_missing_dependency_exits_1_with_a_located_error()
    {
        var (code, output, error) = await Run("job-graph", "--project", "app", "--pipeline", "post");
        Assert.Equal(1, code);
        Assert.Contains("zuul.yaml:", error);
        Assert.Contains("error[missing-dependency]: job 'broken' depends on 'nowhere' which was not run", error);
        Assert.Equal("broken\n1 jobs, 0 dependencies\n", output);
    }
}

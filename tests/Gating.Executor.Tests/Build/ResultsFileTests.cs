using Gating.Executor.Build;

namespace Gating.Executor.Tests.Build;

public sealed class ResultsFileTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "gating-results-" + Guid.NewGuid().ToString("N") + ".json");

    [Fact]
    public void A_missing_file_means_no_results()
    {
        var results = ResultsFile.Read(_path);

        Assert.Same(ResultsFile.Empty, results);
        Assert.True(results.RetryAllowed);
    }

    [Fact]
    public void Special_zuul_keys_are_read_and_relative_artifact_urls_resolved_against_the_log_url()
    {
        File.WriteAllText(_path, """
            {"data": {"x": 1, "zuul": {"log_url": "https://logs.example.org/42", "pause": true, "retry": false,
              "child_jobs": ["a"], "warnings": ["w1"],
              "artifacts": [{"name": "docs", "url": "docs/index.html"}, {"name": "abs", "url": "https://cdn.example.org/x"}]}},
             "secret_data": {"token": "t"}}
            """);

        var results = ResultsFile.Read(_path);

        Assert.Equal(1, results.Data!.Value.GetProperty("x").GetInt32());
        Assert.Equal("t", results.SecretData!.Value.GetProperty("token").GetString());
        Assert.True(results.Pause);
        Assert.False(results.RetryAllowed);
        Assert.Equal(["a"], results.ChildJobs!.Value.ToArray());
        Assert.Equal(["w1"], results.Warnings.ToArray());
        Assert.Equal(["https://logs.example.org/42/docs/index.html", "https://cdn.example.org/x"], results.Artifacts.Select(a => a.Url));
    }

    public void Dispose() => File.Delete(_path);
}

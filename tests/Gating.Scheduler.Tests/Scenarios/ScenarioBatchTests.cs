using Gating.Testing.Scenarios;

namespace Gating.Scheduler.Tests.Scenarios;

public sealed class ScenarioBatchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gating-scenario-batch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Exit_codes_are_0_when_all_hold_1_on_a_failed_expectation_and_2_on_a_format_error()
    {
        string pass = Write("a-pass.yaml", "changes: [{name: A}]\nsteps:\n  - expect: {merged: []}\n");
        string fail = Write("b-fail.yaml", "changes: [{name: A}]\nsteps:\n  - expect: {merged: [A]}\n");
        string bad = Write("c-bad.yaml", "steps:\n  - fly: away\n");

        async Task<(int Code, string Output)> Run(params string[] files)
        {
            var output = new StringWriter();
            int code = await ScenarioBatch.RunAsync(files, new FreshClusters(), checkOnly: false, output, CancellationToken.None);
            return (code, output.ToString());
        }

        var ok = await Run(pass);
        var failed = await Run(pass, fail);
        var malformed = await Run(bad, fail);

        Assert.Equal((0, true), (ok.Code, ok.Output.Contains("1 of 1 scenarios passed", StringComparison.Ordinal)));
        Assert.True(failed.Code == 1, failed.Output);
        Assert.True(failed.Output.Contains($"{fail}:3: merged: expected merged [A], actual []", StringComparison.Ordinal), failed.Output);
        Assert.Equal(2, malformed.Code);
        Assert.Contains($"{bad}:2:5: unknown step 'fly'", malformed.Output, StringComparison.Ordinal);
    }

    /// <summary>A new scripted cluster per scenario, as the real factory starts a new cluster each time.</summary>
    private sealed class FreshClusters : IScenarioClusterFactory
    {
        public Task<IScenarioCluster> StartAsync(ClusterSetup setup, CancellationToken cancellationToken) =>
            new ScriptedCluster().StartAsync(setup, cancellationToken);
    }

    [Fact]
    public async Task Check_only_parses_and_directories_expand_to_their_yaml_files()
    {
        Write("b.yaml", "steps: [settle]\n");
        Write("a.yaml", "steps: [settle]\n");
        Write("notes.txt", "not a scenario");
        var output = new StringWriter();

        var files = ScenarioBatch.Expand([_dir]);
        int code = await ScenarioBatch.RunAsync(files, null, checkOnly: true, output, CancellationToken.None);

        Assert.Equal(["a.yaml", "b.yaml"], files.Select(Path.GetFileName));
        Assert.Equal(0, code);
        Assert.Contains("OK ", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_cluster_a_run_is_a_usage_error()
    {
        string pass = Write("a.yaml", "steps: [settle]\n");
        var output = new StringWriter();

        int code = await ScenarioBatch.RunAsync([pass], null, checkOnly: false, output, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains("no in-process cluster", output.ToString(), StringComparison.Ordinal);
    }
}

using Gating.Testing.Cluster;
using Gating.Testing.Scenarios;

namespace Gating.Scheduler.Tests.Scenarios;

/// <summary>
/// Runs every scenario file under tests/scenarios/ (not pending/) on the real in-process cluster (scheduler
/// runtime, embedded ZooKeeper store, fakes); a failure prints the expectation's file:line and the actual state.
/// </summary>
public sealed class ScenarioFilesTests
{
    public static TheoryData<string> Files() => [.. ScenarioFiles.Active()];

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Scenario_holds(string file)
    {
        var scenario = await ScenarioParser.ParseFileAsync(Path.Combine(ScenarioFiles.Directory, file), CancellationToken.None);

        var result = await new ScenarioRunner(new TestClusterFactory()).RunAsync(scenario, CancellationToken.None);

        Assert.True(result.Passed, result.Describe());
    }
}

namespace Gating.Executor.Tests.Build;

public sealed class SmokeBuildIntegrationTests
{
    [Fact]
    public async Task One_task()
    {
        await using var fx = new BuildFixture();
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            ["playbooks/run.yaml"] = "- hosts: all\n  gather_facts: false\n  tasks:\n    - shell: echo hello from $(hostname)\n",
        });
        var p = BuildFixture.Parameters("smoke") with { Run = [BuildFixture.Playbook("org/project", "playbooks/run.yaml", trusted: false)] };
        var result = await fx.RunAsync(p);
        var log = BuildFixture.Log(result);
        Assert.True(result.Outcome == Gating.Model.BuildOutcome.Success, $"{result.Outcome} {result.ErrorDetail}\n{log}");
        Assert.Contains("hello from", log);
    }
}

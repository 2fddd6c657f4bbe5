using Gating.Model;

namespace Gating.Executor.Tests.Build;

/// <summary>include-vars files read from the workspace, with their precedence, over the real SSH node.</summary>
public sealed class IncludeVarsIntegrationTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Include_vars_rank_between_parent_data_and_job_vars_and_use_ref_picks_the_speculative_state()
    {
        await using var fx = new BuildFixture();
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            ["vars/ref.yaml"] = "ref_value: old\n",
            ["vars/head.yaml"] = "head_value: old\n",
            ["vars/common.yaml"] = "from_include: included\nshadowed: from-file\nnumber: 7\nflag: yes\n",
            ["run.yaml"] = "- hosts: all\n  gather_facts: false\n  tasks:\n" +
                "    - assert:\n        that:\n" +
                "          - \"from_include == 'included'\"\n" +
                "          - \"shadowed == 'from-job'\"\n" +
                "          - \"from_parent == 'p'\"\n" +
                "          - \"number == 7\"\n" +
                "          - \"flag is sameas true\"\n" +
                "          - \"ref_value == 'new'\"\n" +
                "          - \"head_value == 'old'\"\n",
        });
        var change = await fx.Server.CreateChangeAsync("org/project", "main", 5, 1,
            new Dictionary<string, string?> { ["vars/ref.yaml"] = "ref_value: new\n", ["vars/head.yaml"] = "head_value: new\n" });
        var project = BuildFixture.Project("org/project");
        var parameters = BuildFixture.Parameters("include-vars") with
        {
            Change = "5",
            Patchset = "1",
            Ref = change.Ref,
            Items = [new BuildItem(project, new MergeItem(BuildFixture.Connection, "org/project", "main", change.Ref, change.Commit, MergeMode.MergeResolve, "5", "1"))],
            IncludeVars =
            [
                new IncludeVarsFile("vars/common.yaml", null),
                new IncludeVarsFile("vars/ref.yaml", "org/project"),
                new IncludeVarsFile("vars/head.yaml", "org/project", UseRef: false),
                new IncludeVarsFile("vars/optional.yaml", null, Required: false),
            ],
            ParentData = BuildFixture.Json(new { from_parent = "p", from_include = "parent-loses" }),
            Vars = BuildFixture.Json(new { shadowed = "from-job" }),
            Run = [BuildFixture.Playbook("org/project", "run.yaml", false)],
        };

        var result = await fx.RunAsync(parameters).WaitAsync(Patience);

        Assert.True(result.Outcome == BuildOutcome.Success, $"{result.Outcome} {result.ErrorDetail}\n{BuildFixture.Log(result)}");
    }

    [Fact]
    public async Task A_missing_required_include_vars_file_is_an_error_that_names_it()
    {
        await using var fx = new BuildFixture();
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            ["run.yaml"] = "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: {msg: never}\n",
        });
        var parameters = BuildFixture.Parameters("missing-vars") with
        {
            IncludeVars = [new IncludeVarsFile("vars/missing.yaml", null)],
            Run = [BuildFixture.Playbook("org/project", "run.yaml", false)],
        };

        var result = await fx.RunAsync(parameters).WaitAsync(Patience);

        Assert.Equal(BuildOutcome.Error, result.Outcome);
        Assert.Contains("vars/missing.yaml", result.ErrorDetail, StringComparison.Ordinal);
    }
}

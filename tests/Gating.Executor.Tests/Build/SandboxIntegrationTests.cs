using Gating.Model;

namespace Gating.Executor.Tests.Build;

/// <summary>What bubblewrap and the untrusted-playbook restrictions let a playbook do on the executor.</summary>
public sealed class SandboxIntegrationTests
{
    private const string Prohibited = "Executing local code is prohibited";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task An_untrusted_playbook_cannot_read_files_outside_its_build_nor_another_playbooks_secrets()
    {
        await using var fx = new BuildFixture();
        var outside = Path.Combine(fx.Root, "outside-secret.txt");
        await File.WriteAllTextAsync(outside, "do not read\n");
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            ["trusted.yaml"] = "- hosts: all\n  gather_facts: false\n  tasks:\n    - assert: {that: [\"site_secret is defined\"]}\n",
            ["read.yaml"] = "- hosts: all\n  gather_facts: false\n  tasks:\n" +
                "    - debug: {msg: \"{{ lookup('file', secrets_file) }}\"}\n      register: secrets\n      ignore_errors: true\n" +
                "    - assert: {that: [\"secrets is failed\"]}\n" +
                "    - debug: {msg: \"{{ lookup('file', outside_file) }}\"}\n",
        });
        var parameters = BuildFixture.Parameters("read-outside") with
        {
            Vars = BuildFixture.Json(new { outside_file = outside }),
            PreRun = [BuildFixture.Playbook("org/project", "trusted.yaml", true, secrets: [new BuildSecret("site_secret", BuildFixture.Json("s3cret"))])],
            Run = [BuildFixture.Playbook("org/project", "read.yaml", false)],
        };
        parameters = parameters with
        {
            ExtraVars = BuildFixture.Json(new { secrets_file = Path.Combine(fx.Options.JobRoot, parameters.BuildId, "ansible", "playbook_0", "secrets.json") }),
        };

        var result = await fx.RunAsync(parameters).WaitAsync(Patience);

        Assert.True(result.Outcome == BuildOutcome.Failure, $"{result.Outcome}\n{BuildFixture.Log(result)}");
        var failure = Assert.Single(result.FailedTasks, f => !f.Message.Contains("secrets.json", StringComparison.Ordinal));
        Assert.Contains("outside-secret.txt", failure.Message);
        Assert.Contains("could not locate file", failure.Message);
    }

    [Fact]
    public async Task The_node_key_is_usable_through_the_ssh_agent_but_an_untrusted_playbook_cannot_read_it()
    {
        await using var fx = new BuildFixture();
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            ["steal.yaml"] = "- hosts: all\n  gather_facts: false\n  tasks:\n" +
                "    - name: logging in to the node works (through the agent)\n      command: /bin/true\n" +
                "    - debug: {msg: \"{{ lookup('file', key_file) }}\"}\n",
        });
        var parameters = BuildFixture.Parameters("steal-key") with
        {
            Vars = BuildFixture.Json(new { key_file = fx.KeyFile }),
            Run = [BuildFixture.Playbook("org/project", "steal.yaml", false)],
        };

        var result = await fx.RunAsync(parameters).WaitAsync(Patience);

        Assert.True(result.Outcome == BuildOutcome.Failure, $"{result.Outcome}\n{BuildFixture.Log(result)}");
        var failure = Assert.Single(result.FailedTasks);
        Assert.Contains("could not locate file", failure.Message);
        Assert.DoesNotContain("PRIVATE KEY", BuildFixture.Log(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_untrusted_playbook_cannot_write_to_the_executor_nor_run_commands_on_localhost()
    {
        await using var fx = new BuildFixture();
        var written = Path.Combine(fx.Root, "written-by-playbook");
        var touched = Path.Combine(fx.Root, "touched-by-playbook");
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            ["write.yaml"] = "- hosts: all\n  gather_facts: false\n  tasks:\n" +
                "    - copy: {content: pwned, dest: \"{{ written }}\"}\n      delegate_to: localhost\n",
            ["command.yaml"] = "- hosts: localhost\n  gather_facts: false\n  tasks:\n" +
                "    - debug: {msg: \"{{ lookup('pipe', 'touch ' + touched) }}\"}\n      register: piped\n      ignore_errors: true\n" +
                "    - assert: {that: [\"piped is failed\", \"'prohibited' in piped.msg\"]}\n" +
                "    - debug: {msg: local debug is fine}\n" +
                "    - command: touch \"{{ touched }}\"\n      connection: ansible.builtin.local\n",
        });
        var vars = BuildFixture.Json(new { written, touched });

        var write = await fx.RunAsync(BuildFixture.Parameters("write") with { Vars = vars, Run = [BuildFixture.Playbook("org/project", "write.yaml", false)] }).WaitAsync(Patience);
        var command = await fx.RunAsync(BuildFixture.Parameters("command") with { Vars = vars, Run = [BuildFixture.Playbook("org/project", "command.yaml", false)] }).WaitAsync(Patience);

        Assert.True(write.Outcome == BuildOutcome.Failure, $"{write.Outcome}\n{BuildFixture.Log(write)}");
        Assert.Contains(Prohibited, Assert.Single(write.FailedTasks).Message);
        Assert.True(command.Outcome == BuildOutcome.Failure, $"{command.Outcome}\n{BuildFixture.Log(command)}");
        var failure = Assert.Single(command.FailedTasks, f => f.Task == "command");
        Assert.Equal("localhost", failure.Host);
        Assert.Contains(Prohibited, failure.Message);
        Assert.Contains("localhost | local debug is fine", BuildFixture.Log(command));
        Assert.False(File.Exists(written));
        Assert.False(File.Exists(touched));
    }

    [Fact]
    public async Task A_trusted_playbook_runs_on_localhost_but_only_its_work_dir_is_writable()
    {
        await using var fx = new BuildFixture();
        var outside = Path.Combine(fx.Root, "state", "planted");
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string> { ["README"] = "item project\n" });
        await fx.Server.CreateProjectAsync("config", new Dictionary<string, string>
        {
            ["local.yaml"] = "- hosts: localhost\n  gather_facts: false\n  tasks:\n" +
                "    - command: touch \"{{ zuul.executor.work_root }}/inside\"\n" +
                "    - shell: ls / | tr '\\n' ' '\n" +
                "    - command: touch /usr/planted\n      register: usr\n      ignore_errors: true\n" +
                "    - assert: {that: [\"usr is failed\", \"'Read-only' in usr.stdout\"]}\n" +
                // Paths outside the mounts exist only in the sandbox's throwaway root, never on the executor.
                "    - command: touch \"{{ outside }}\"\n" +
                "    - command: touch \"{{ playbook_dir }}/planted\"\n",
        });

        var result = await fx.RunAsync(BuildFixture.Parameters("trusted-local") with
        {
            Vars = BuildFixture.Json(new { outside }),
            Run = [BuildFixture.Playbook("config", "local.yaml", true)],
        }).WaitAsync(Patience);

        var log = BuildFixture.Log(result);
        Assert.True(result.Outcome == BuildOutcome.Failure, $"{result.Outcome}\n{log}");
        var failure = Assert.Single(result.FailedTasks);
        Assert.Equal(("localhost", "command"), (failure.Host, failure.Task));
        Assert.Contains("Read-only file system", failure.Message);
        var root = log.Split('\n').First(l => l.Contains("| localhost | bin ", StringComparison.Ordinal));
        Assert.DoesNotContain(" home ", root);
        Assert.DoesNotContain(" work ", root);
        Assert.False(File.Exists(outside));
        Assert.False(File.Exists("/usr/planted"));
    }

    [Fact]
    public async Task An_untrusted_project_that_ships_ansible_plugins_is_an_ERROR_that_says_why()
    {
        await using var fx = new BuildFixture();
        await fx.Server.CreateProjectAsync("org/project", new Dictionary<string, string>
        {
            ["playbooks/run.yaml"] = "- hosts: all\n  tasks: []\n",
            ["playbooks/action_plugins/evil.py"] = "raise SystemExit\n",
        });

        var result = await fx.RunAsync(BuildFixture.Parameters("plugins") with { Run = [BuildFixture.Playbook("org/project", "playbooks/run.yaml", false)] }).WaitAsync(Patience);

        Assert.Equal(BuildOutcome.Error, result.Outcome);
        Assert.Contains("action_plugins", result.ErrorDetail);
        Assert.Contains("untrusted", result.ErrorDetail);
        Assert.Contains("BUILD RESULT: ERROR", BuildFixture.Log(result));
    }
}

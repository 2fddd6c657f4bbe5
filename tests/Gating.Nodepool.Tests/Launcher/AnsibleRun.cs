using System.Text.Json;
using CliWrap;
using CliWrap.Buffered;
using Gating.Model;

namespace Gating.Nodepool.Tests.Launcher;

/// <summary>
/// Runs a real ansible-playbook over a nodeset the way an executor would (inventory from the node records, host
/// keys checked) and reports, per node, the host name its facts saw and the marker files it could see.
/// </summary>
internal static class AnsibleRun
{
    public static async Task<IReadOnlyList<string[]>> EachNodeReportsAsync(IReadOnlyList<Node> nodes, string dir)
    {
        var knownHosts = Path.Combine(dir, "known_hosts");
        await File.WriteAllLinesAsync(knownHosts, nodes.SelectMany(n => n.HostKeys.Select(k => $"[{n.InterfaceIp}]:{n.ConnectionPort} {k}")));
        var inventory = new
        {
            all = new
            {
                hosts = nodes.Select((n, i) => (n, i)).ToDictionary(x => $"node{x.i + 1}", x => new Dictionary<string, object>
                {
                    ["ansible_host"] = x.n.InterfaceIp!,
                    ["ansible_port"] = x.n.ConnectionPort,
                    ["ansible_user"] = x.n.Username,
                    ["ansible_python_interpreter"] = x.n.PythonPath ?? "/usr/bin/python3",
                    ["ansible_ssh_private_key_file"] = TestHosts.SshKey,
                    ["ansible_ssh_common_args"] = $"-o UserKnownHostsFile={knownHosts} -o StrictHostKeyChecking=yes",
                }),
            },
        };
        await File.WriteAllTextAsync(Path.Combine(dir, "inventory.json"), JsonSerializer.Serialize(inventory));
        var output = Path.Combine(dir, "out");
        Directory.CreateDirectory(output);
        await File.WriteAllTextAsync(Path.Combine(dir, "playbook.yaml"), """
            - hosts: all
              gather_facts: true
              tasks:
                - name: Each node writes its own file
                  copy:
                    content: "{{ inventory_hostname }}"
                    dest: "/root/mark-{{ inventory_hostname }}"
                - name: Each node lists the files it can see
                  shell: "hostname; ls /root/ | grep '^mark-'"
                  register: seen
                - name: Report to the controller
                  delegate_to: localhost
                  copy:
                    content: "{{ ansible_facts.hostname }}\n{{ seen.stdout }}\n"
                    dest: "OUTPUT_DIR/{{ inventory_hostname }}"
            """.Replace("OUTPUT_DIR", output, StringComparison.Ordinal));

        var run = await Cli.Wrap("ansible-playbook")
            .WithArguments(["-i", Path.Combine(dir, "inventory.json"), Path.Combine(dir, "playbook.yaml")])
            .WithEnvironmentVariables(e => e.Set("ANSIBLE_HOST_KEY_CHECKING", "True").Set("ANSIBLE_LOCAL_TEMP", Path.Combine(dir, "tmp"))
                .Set("ANSIBLE_NOCOLOR", "1").Set("ANSIBLE_FORCE_COLOR", "0").Set("ANSIBLE_PIPELINING", "1"))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();
        Assert.True(run.ExitCode == 0, $"ansible-playbook failed ({run.ExitCode}):\n{run.StandardOutput}\n{run.StandardError}");
        return [.. Enumerable.Range(1, nodes.Count).Select(i => File.ReadAllLines(Path.Combine(output, $"node{i}")))];
    }
}

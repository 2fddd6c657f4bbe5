using System.Text.Json;
using CliWrap;
using CliWrap.Buffered;
using Gating.Nodepool.Config;
using Gating.Nodepool.Providers;
using Gating.Nodepool.Providers.Local;

namespace Gating.Nodepool.Tests.Providers;

/// <summary>Local isolated hosts against the real kernel, bwrap, sshd and ansible-playbook. Ports 23510-23529.</summary>
public sealed class LocalHostProviderIntegrationTests : IAsyncLifetime
{
    private readonly string _dir = TestHosts.TempDir("local");
    private readonly string _prefix = $"l{Guid.NewGuid():N}"[..6];
    private LocalHostProvider _provider = null!;

    public Task InitializeAsync()
    {
        _provider = new LocalHostProvider(LocalHosts.Config(_prefix, Path.Combine(_dir, "nodes"), 23510, 23529), TestHosts.SshPublicKey, TimeProvider.System);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in await _provider.ListAsync(default))
        {
            await _provider.DeleteAsync(instance.ExternalId, default);
        }

        await _provider.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Ansible_reaches_every_node_of_a_three_node_nodeset_and_each_is_a_separate_host()
    {
        var nodes = await Task.WhenAll(Enumerable.Range(1, 3).Select(async i =>
            await _provider.WaitReadyAsync(await _provider.CreateAsync(new($"n{i}-{Guid.NewGuid():N}"[..12], "debian", "main"), default), default)));

        var knownHosts = Path.Combine(_dir, "known_hosts");
        await File.WriteAllLinesAsync(knownHosts, nodes.SelectMany(n => n.HostKeys.Select(k => $"[{n.InterfaceIp}]:{n.ConnectionPort} {k}")));
        var inventory = new
        {
            all = new
            {
                hosts = nodes.Select((n, i) => (n, i)).ToDictionary(x => $"node{x.i + 1}", x => new Dictionary<string, object>
                {
                    ["ansible_host"] = x.n.InterfaceIp,
                    ["ansible_port"] = x.n.ConnectionPort,
                    ["ansible_user"] = x.n.Username,
                    ["ansible_python_interpreter"] = x.n.PythonPath!,
                    ["ansible_ssh_private_key_file"] = TestHosts.SshKey,
                    ["ansible_ssh_common_args"] = $"-o UserKnownHostsFile={knownHosts} -o StrictHostKeyChecking=yes",
                }),
            },
        };
        await File.WriteAllTextAsync(Path.Combine(_dir, "inventory.json"), JsonSerializer.Serialize(inventory));
        var output = Path.Combine(_dir, "out");
        Directory.CreateDirectory(output);
        await File.WriteAllTextAsync(Path.Combine(_dir, "playbook.yaml"), """
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
            .WithArguments(["-i", Path.Combine(_dir, "inventory.json"), Path.Combine(_dir, "playbook.yaml")])
            .WithEnvironmentVariables(e => e.Set("ANSIBLE_HOST_KEY_CHECKING", "True").Set("ANSIBLE_LOCAL_TEMP", Path.Combine(_dir, "tmp"))
                .Set("ANSIBLE_NOCOLOR", "1").Set("ANSIBLE_FORCE_COLOR", "0"))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();
        Assert.True(run.ExitCode == 0, $"ansible-playbook failed ({run.ExitCode}):\n{run.StandardOutput}\n{run.StandardError}");

        var reports = Enumerable.Range(1, 3).Select(i => File.ReadAllLines(Path.Combine(output, $"node{i}"))).ToList();
        Assert.Equal(nodes.Select(n => n.Hostname), reports.Select(r => r[0]));     // facts: each node its own name
        Assert.Equal(3, reports.Select(r => r[0]).Distinct().Count());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal([nodes[i].Hostname, $"mark-node{i + 1}"], reports[i].Skip(1).ToArray()); // sees only its own file
        }

        foreach (var node in nodes)
        {
            await _provider.DeleteAsync(node.ExternalId, default);
        }
    }

    [Fact]
    public async Task Deleting_a_busy_node_leaves_no_namespace_mount_process_or_file()
    {
        var node = await _provider.WaitReadyAsync(await _provider.CreateAsync(new("busy", "debian", "main"), default), default);
        var name = node.ExternalId;
        var root = Path.Combine(_dir, "nodes", name, "root");

        // A job left a process running in the background, and writes went to the node's own layer only.
        var start = await TestHosts.SshAsync(node.InterfaceIp, node.ConnectionPort, node.Username, node.HostKeys,
            "echo hi > /etc/only-here; setsid nohup sleep 600 >/dev/null 2>&1 < /dev/null & echo started", _dir);
        Assert.Equal("started", start.StandardOutput.Trim());
        Assert.True(File.Exists(Path.Combine(root, "etc/only-here")));
        Assert.False(File.Exists(Path.Combine(TestHosts.Rootfs, "etc/only-here")));
        var pids = await NamespacePidsAsync(name);
        Assert.NotEmpty(pids);

        await _provider.DeleteAsync(name, default);

        Assert.False(File.Exists($"/var/run/netns/{name}"), "network namespace left behind");
        Assert.DoesNotContain(File.ReadLines("/proc/self/mountinfo"), l => l.Contains(root, StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(_dir, "nodes", name)), "node directory left behind");
        Assert.All(pids, pid => Assert.False(IsAlive(pid), $"process {pid} left behind"));
        Assert.DoesNotContain(name, (await _provider.ListAsync(default)).Select(i => i.ExternalId));
        var refused = await TestHosts.SshAsync(node.InterfaceIp, node.ConnectionPort, node.Username, node.HostKeys, "true", _dir);
        Assert.NotEqual(0, refused.ExitCode);
    }

    [Fact]
    public async Task Leaked_instances_of_a_crashed_launcher_are_listed_and_deleted_by_a_new_provider()
    {
        var node = await _provider.WaitReadyAsync(await _provider.CreateAsync(new("leak", "debian", "main"), default), default);

        // A new launcher process: same config, knows nothing of the node.
        await using var restarted = new LocalHostProvider(LocalHosts.Config(_prefix, Path.Combine(_dir, "nodes"), 23510, 23529), TestHosts.SshPublicKey, TimeProvider.System);
        Assert.Contains(new ProviderInstance(node.ExternalId, "leak"), await restarted.ListAsync(default));
        await restarted.DeleteAsync(node.ExternalId, default);
        Assert.Empty(await restarted.ListAsync(default));
        Assert.False(File.Exists($"/var/run/netns/{node.ExternalId}"));
    }

    [Fact]
    public async Task A_missing_rootfs_fails_the_launch_with_what_to_run()
    {
        var config = LocalHosts.Config(_prefix, Path.Combine(_dir, "nodes"), 23510, 23529);
        config = config with { Local = config.Local! with { Rootfs = Path.Combine(_dir, "no-rootfs") } };
        await using var provider = new LocalHostProvider(config, TestHosts.SshPublicKey, TimeProvider.System);
        var error = await Assert.ThrowsAsync<NodeLaunchException>(() => provider.CreateAsync(new("x", "debian", "main"), default));
        Assert.Contains(".ci/rootfs", error.Message);
    }

    [Fact]
    public async Task Node_has_no_network_but_its_own_loopback()
    {
        var node = await _provider.WaitReadyAsync(await _provider.CreateAsync(new("net", "debian", "main"), default), default);
        var links = await TestHosts.SshAsync(node.InterfaceIp, node.ConnectionPort, node.Username, node.HostKeys, "ip -o link show | cut -d: -f2", _dir);
        Assert.Equal(["lo"], links.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        await _provider.DeleteAsync(node.ExternalId, default);
    }

    // A killed process may stay a zombie until PID 1 reaps it; it is gone but for its exit status.
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task<IReadOnlyList<int>> NamespacePidsAsync(string name) =>
        [.. (await Cli.Wrap("ip").WithArguments(["netns", "pids", name]).ExecuteBufferedAsync()).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
}

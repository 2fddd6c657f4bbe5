using Gating.Nodepool.Config;

namespace Gating.Nodepool.Tests.Config;

public sealed class ProvidersConfigParserTests
{
    private const string Full = """
        labels:
          - name: debian
            min-ready: 2
            max-ready-age: 600
          - name: big
        max-hold-age: 86400
        providers:
          - name: local
            driver: local
            priority: 50
            max-concurrency: 4
            launch-retries: 2
            rootfs: /srv/rootfs
            work-dir: /srv/nodes
            port-first: 23510
            port-last: 23519
            pools:
              - name: main
                max-servers: 5
                max-cores: 16
                max-ram: 32768
                node-attributes:
                  executor-zone: here
                labels:
                  - name: debian
                    cores: 2
                    ram: 2048
          - name: hosts
            driver: static
            pools:
              - name: main
                nodes:
                  - name: 127.0.0.1
                    labels: [big, debian]
                    username: root
                    connection-port: 22022
                    python-path: /usr/bin/python3
                    shell-type: sh
                    max-parallel-jobs: 3
                    host-key-checking: false
        tenant-resource-limits:
          - tenant-name: example
            max-servers: 3
            max-cores: 8
        """;

    [Fact]
    public void Parses_every_field_of_a_full_file()
    {
        var result = ProvidersConfigParser.Parse(Full, "nodepool.yaml");
        Assert.Empty(result.Errors);
        var config = result.Config!;
        Assert.Equal(["debian", "big"], config.Labels.Select(l => l.Name));
        Assert.Equal(2, config.Label("debian")!.MinReady);
        Assert.Equal(TimeSpan.FromMinutes(10), config.Label("debian")!.MaxReadyAge);
        Assert.Null(config.Label("big")!.MaxReadyAge);
        Assert.Equal(TimeSpan.FromDays(1), config.MaxHoldAge);

        var local = config.Providers[0];
        Assert.Equal(("local", "local", 50, 4, 2), (local.Name, local.Driver, local.Priority, local.MaxConcurrency, local.LaunchRetries));
        Assert.Equal(("/srv/rootfs", "/srv/nodes", 23510, 23519), (local.Local!.Rootfs, local.Local.WorkDir, local.Local.PortFirst, local.Local.PortLast));
        var pool = local.Pools.Single();
        Assert.Equal((5, 16, 32768L), (pool.MaxServers!.Value, pool.MaxCores!.Value, pool.MaxRam!.Value));
        Assert.Equal("here", pool.NodeAttributes["executor-zone"]);
        Assert.Equal((2, 2048L), (pool.Label("debian")!.Cores, pool.Label("debian")!.Ram));

        var hosts = config.Providers[1];
        Assert.Null(hosts.Local);
        var node = hosts.Pools[0].Nodes.Single();
        Assert.Equal(["big", "debian"], node.Labels.ToArray());
        Assert.Equal(("root", 22022, "/usr/bin/python3", "sh", 3, false),
            (node.Username, node.ConnectionPort, node.PythonPath, node.ShellType, node.MaxParallelJobs, node.HostKeyChecking));
        Assert.Equal(["big", "debian"], hosts.Pools[0].Labels.Select(l => l.Name).Order());

        var limit = config.TenantLimit("example")!;
        Assert.Equal((3, 8), (limit.MaxServers!.Value, limit.MaxCores!.Value));
        Assert.Null(limit.MaxRam);
        Assert.Null(config.TenantLimit("other"));
    }

    [Fact]
    public void Static_node_defaults_follow_nodepool()
    {
        var yaml = """
            labels: [{name: l}]
            providers:
              - name: s
                driver: static
                pools: [{name: p, nodes: [{name: host, labels: l}, {name: win, labels: l, connection-type: winrm}]}]
            """;
        var config = ProvidersConfigParser.Parse(yaml, "f").Config!;
        var nodes = config.Providers[0].Pools[0].Nodes;
        Assert.Equal(("zuul", "ssh", 22, 1, true, TimeSpan.FromSeconds(5)),
            (nodes[0].Username, nodes[0].ConnectionType, nodes[0].ConnectionPort, nodes[0].MaxParallelJobs, nodes[0].HostKeyChecking, nodes[0].Timeout));
        Assert.Equal(5986, nodes[1].ConnectionPort);
        Assert.Equal(100, config.Providers[0].Priority);
    }

    [Fact]
    public void Reports_every_error_with_its_line_and_column()
    {
        var yaml = """
            labels:
              - name: debian
                min-ready: lots
              - min-ready: 1
            providers:
              - name: local
                driver: cloudy
                pools:
                  - name: main
                    max-servers: 2
                    labels:
                      - name: ubuntu
                    colour: blue
            """;
        var result = ProvidersConfigParser.Parse(yaml, "nodepool.yaml");
        Assert.Null(result.Config);
        var messages = result.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(messages, m => m.StartsWith("nodepool.yaml:3:16:", StringComparison.Ordinal) && m.Contains("'min-ready' of a label must be an integer"));
        Assert.Contains(messages, m => m.StartsWith("nodepool.yaml:4:5:", StringComparison.Ordinal) && m.Contains("a label needs 'name'"));
        Assert.Contains(messages, m => m.StartsWith("nodepool.yaml:7:13:", StringComparison.Ordinal) && m.Contains("driver 'cloudy' is not supported"));
        Assert.Contains(messages, m => m.StartsWith("nodepool.yaml:13:9:", StringComparison.Ordinal) && m.Contains("unknown key 'colour'"));
        Assert.Contains(messages, m => m.Contains("label 'ubuntu', which is not declared"));
        Assert.Equal(5, messages.Count);
    }

    [Fact]
    public void Invalid_yaml_is_one_error_with_a_position()
    {
        var result = ProvidersConfigParser.Parse("labels:\n  - name: [unclosed\n", "bad.yaml");
        var error = Assert.Single(result.Errors);
        Assert.Equal("bad.yaml", error.File);
        Assert.True(error.Line >= 2, error.ToString());
        Assert.Contains("not valid YAML", error.Message);
    }

    [Fact]
    public void Duplicate_names_are_errors()
    {
        var yaml = """
            labels: [{name: a}, {name: a}]
            providers:
              - {name: p, driver: static, pools: [{name: x}, {name: x}]}
              - {name: p, driver: local}
            tenant-resource-limits: [{tenant-name: t}, {tenant-name: t}]
            """;
        var messages = ProvidersConfigParser.Parse(yaml, "f").Errors.Select(e => e.Message).ToList();
        Assert.Contains("label 'a' is defined more than once", messages);
        Assert.Contains("provider 'p' is defined more than once", messages);
        Assert.Contains(messages, m => m.StartsWith("pool of provider 'p' 'x'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("tenant 't' is defined more than once"));
    }

    [Fact]
    public void Empty_file_and_wrong_shapes_are_errors()
    {
        Assert.Contains("empty", ProvidersConfigParser.Parse("", "f").Errors.Single().Message);
        var messages = ProvidersConfigParser.Parse("labels: nope\nproviders:\n  - just-a-string\n", "f").Errors.Select(e => e.ToString()).ToList();
        Assert.Contains("f:1:9: 'labels' of the providers file must be a list", messages);
        Assert.Contains("f:3:5: a provider must be a mapping", messages);
    }

    [Fact]
    public void Local_driver_settings_are_checked()
    {
        var yaml = """
            labels: [{name: l}]
            providers:
              - {name: p, driver: local, port-first: 23599, port-last: 23500, name-prefix: Bad_Prefix, pools: [{name: m, labels: [{name: l}]}]}
            """;
        var messages = ProvidersConfigParser.Parse(yaml, "f").Errors.Select(e => e.Message).ToList();
        Assert.Contains(messages, m => m.Contains("port-last must be between"));
        Assert.Contains(messages, m => m.Contains("name-prefix must be"));
    }
}

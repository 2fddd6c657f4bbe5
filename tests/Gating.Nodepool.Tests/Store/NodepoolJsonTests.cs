using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Gating.Model;
using Gating.Nodepool.Store;

namespace Gating.Nodepool.Tests.Store;

public sealed class NodepoolJsonTests
{
    private static readonly DateTimeOffset T = DateTimeOffset.UnixEpoch.AddSeconds(1764061200.5);

    [Fact]
    public void Request_round_trips_with_nodepool_field_names()
    {
        var request = new NodeRequest("100-0000000042", NodeRequestState.Pending, T, ["small", "big"], "zuul-abc")
        {
            Priority = 100,
            RelativePriority = 3,
            DeclinedBy = ["cloud-main"],
            NodeIds = ["0000000001", "0000000002"],
            Reuse = false,
            Provider = "cloud",
            TenantName = "example",
            RequestorData = new NodeRequestorData("bs", "example", "gate", "ju", "tox"),
            EventId = "ev-1",
            CreatedTime = T.AddSeconds(-5),
        };
        var json = NodepoolJson.Write(request);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("pending", root.GetProperty("state").GetString());
        Assert.Equal(1764061200.5, root.GetProperty("state_time").GetDouble());
        Assert.Equal("big", root.GetProperty("node_types")[1].GetString());
        Assert.Equal("gate", root.GetProperty("requestor_data").GetProperty("pipeline_name").GetString());
        Assert.False(root.GetProperty("reuse").GetBoolean());

        var back = NodepoolJson.ReadRequest(request.Id, json);
        Assert.Equal(request with { DeclinedBy = [], NodeIds = [], Labels = [] }, back with { DeclinedBy = [], NodeIds = [], Labels = [] });
        Assert.Equal(request.Labels.ToArray(), back.Labels.ToArray());
        Assert.Equal(request.NodeIds.ToArray(), back.NodeIds.ToArray());
        Assert.Equal(request.DeclinedBy.ToArray(), back.DeclinedBy.ToArray());
    }

    [Fact]
    public void Node_round_trips_and_writes_in_use_and_ssh_port()
    {
        var node = new Node("0000000007", NodeState.InUse, T, "local", "main", ["debian"])
        {
            AllocatedTo = "200-0000000001",
            InterfaceIp = "127.0.0.1",
            Hostname = "gnp-0000000007",
            ConnectionPort = 23501,
            Username = "root",
            PythonPath = "/usr/bin/python3",
            ShellType = "sh",
            HostKeys = ["ssh-ed25519 AAAA"],
            ExternalId = "gnp-0000000007",
            Slot = 1,
            Attributes = ImmutableDictionary<string, string>.Empty.Add("executor-zone", "here"),
            Resources = new NodeResources(1, 2, 2048),
            Launcher = "l1",
            CreatedTime = T.AddSeconds(-1),
            TenantName = "example",
            Requestor = "zuul",
            HoldJob = "t p j .*",
            Comment = "debug",
            HoldExpiration = TimeSpan.FromHours(2),
            UserData = ImmutableDictionary<string, string>.Empty.Add("zuul_system", "abc"),
        };
        var json = NodepoolJson.Write(node);
        var text = Encoding.UTF8.GetString(json);
        Assert.Contains("\"state\":\"in-use\"", text);
        Assert.Contains("\"ssh_port\":23501", text);
        Assert.Contains("\"type\":[\"debian\"]", text);

        var back = NodepoolJson.ReadNode(node.Id, json);
        Assert.Equal(Comparable(node), Comparable(back));
        Assert.Equal(node.HostKeys.ToArray(), back.HostKeys.ToArray());
        Assert.Equal(node.Labels.ToArray(), back.Labels.ToArray());
        Assert.Equal("here", back.Attributes["executor-zone"]);
        Assert.Equal("abc", back.UserData["zuul_system"]);
    }

    [Fact]
    public void Reads_a_sparse_nodepool_node_with_defaults()
    {
        var json = """{"state": "ready", "provider": "p", "pool": "m", "type": ["x"], "ssh_port": 2222, "resources": {"cores": 4, "ram": 8192}, "attributes": {"n": 1}}"""u8;
        var node = NodepoolJson.ReadNode("0000000001", json);
        Assert.Equal((NodeState.Ready, 2222, "zuul", "ssh", null, "1"), (node.State, node.ConnectionPort, node.Username, node.ConnectionType, node.AllocatedTo, node.Attributes["n"]));
        Assert.Equal(new NodeResources(1, 4, 8192), node.Resources);
    }

    [Fact]
    public void Unknown_states_are_format_errors()
    {
        Assert.Throws<FormatException>(() => NodepoolJson.ReadNode("1", """{"state": "exploded"}"""u8));
        Assert.Throws<FormatException>(() => NodepoolJson.ReadRequest("200-1", """{"state": "maybe"}"""u8));
    }

    private static Node Comparable(Node n) => n with { Labels = [], HostKeys = [], Attributes = ImmutableDictionary<string, string>.Empty, UserData = ImmutableDictionary<string, string>.Empty };
}

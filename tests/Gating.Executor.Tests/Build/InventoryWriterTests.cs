using System.Collections.Immutable;
using System.Text.Json;
using Gating.Executor.Build;
using Gating.Model;

namespace Gating.Executor.Tests.Build;

public sealed class InventoryWriterTests
{
    private static readonly ExecutorOptions Options = new() { JobRoot = "/jobs", StateRoot = "/state", DefaultUsername = "zuul" };

    private static BuildParameters Parameters => new()
    {
        BuildId = "b", BuildSetId = "bs", Tenant = "t", Pipeline = "check", Job = "j", Branch = "main",
        Project = new BuildProject("review", "org/app", "review.example.org"),
        Vars = JsonSerializer.SerializeToElement(new { shared = "job", nested = new { a = 1 }, zuul = "must not override" }),
        ParentData = JsonSerializer.SerializeToElement(new { shared = "parent", from_parent = true, nested = new { b = 2 } }),
        HostVars = ImmutableDictionary<string, JsonElement>.Empty.Add("web", JsonSerializer.SerializeToElement(new { port = 8080 })),
        GroupVars = ImmutableDictionary<string, JsonElement>.Empty.Add("frontends", JsonSerializer.SerializeToElement(new { tier = "front" })),
        Groups = [new BuildNodeGroup("frontends", ["web"]), new BuildNodeGroup("all-nodes", ["web", "db"])],
    };

    [Fact]
    public void Hosts_come_from_the_nodes_with_the_executor_defaults()
    {
        BuildNode[] nodes = [new("web", "10.0.0.5", 2222, null, Label: "small"), new("db", "10.0.0.6", 22, "admin", PythonPath: "/usr/bin/python3", HostKeys: ["ssh-ed25519 AAAA"])];

        var all = InventoryWriter.Inventory(Parameters, nodes, Options)["all"]!;

        var web = all["hosts"]!["web"]!;
        Assert.Equal("10.0.0.5", (string?)web["ansible_host"]);
        Assert.Equal(2222, (int?)web["ansible_port"]);
        Assert.Equal("zuul", (string?)web["ansible_user"]);
        Assert.Equal("ssh", (string?)web["ansible_connection"]);
        Assert.Equal("auto", (string?)web["ansible_python_interpreter"]);
        Assert.Equal("small", (string?)web["nodepool"]!["label"]);
        Assert.Equal("small", (string?)web["zuul"]!["node"]!["label"]);
        Assert.Equal(8080, (int?)web["port"]);
        Assert.Contains("StrictHostKeyChecking=false", (string?)web["ansible_ssh_common_args"]);
        var db = all["hosts"]!["db"]!;
        Assert.Equal("admin", (string?)db["ansible_user"]);
        Assert.Null(db["ansible_ssh_common_args"]);
    }

    [Fact]
    public void Job_vars_win_over_parent_data_and_groups_carry_their_vars()
    {
        var all = InventoryWriter.Inventory(Parameters, [new("web", "h", 22, null), new("db", "h", 22, null)], Options)["all"]!;

        var vars = all["vars"]!;
        Assert.Equal("job", (string?)vars["shared"]);
        Assert.True((bool?)vars["from_parent"]);
        Assert.Equal(1, (int?)vars["nested"]!["a"]);
        Assert.Equal(2, (int?)vars["nested"]!["b"]);
        Assert.Null(vars["zuul"]); // the zuul dict is an extra-vars file; job vars cannot replace it
        Assert.Equal("front", (string?)all["children"]!["frontends"]!["vars"]!["tier"]);
        Assert.Equal(["web", "db"], all["children"]!["all-nodes"]!["hosts"]!.AsObject().Select(kv => kv.Key));
    }
}

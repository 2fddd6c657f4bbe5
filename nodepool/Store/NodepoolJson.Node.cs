using System.Collections.Immutable;
using System.Text.Json;
using Gating.Model;

namespace Gating.Nodepool.Store;

/// <summary>The node half of <see cref="NodepoolJson"/>.</summary>
public static partial class NodepoolJson
{
    /// <summary>The JSON body of a node znode.</summary>
    public static byte[] Write(Node node) => WriteObject(w =>
    {
        w.WriteString("state", node.State.ToWire());
        w.WriteNumber("state_time", Seconds(node.StateTime));
        w.WriteString("provider", node.Provider);
        w.WriteString("pool", node.Pool);
        WriteStrings(w, "type", node.Labels);
        WriteNullable(w, "allocated_to", node.AllocatedTo);
        WriteNullable(w, "cloud", node.Cloud);
        WriteNullable(w, "region", node.Region);
        WriteNullable(w, "az", node.Az);
        WriteNullable(w, "public_ipv4", node.PublicIpv4);
        WriteNullable(w, "private_ipv4", node.PrivateIpv4);
        WriteNullable(w, "interface_ip", node.InterfaceIp);
        WriteNullable(w, "hostname", node.Hostname);
        w.WriteString("connection_type", node.ConnectionType);
        w.WriteNumber("connection_port", node.ConnectionPort);
        w.WriteNumber("ssh_port", node.ConnectionPort); // Nodepool's older name, kept for readers that use it
        w.WriteString("username", node.Username);
        WriteNullable(w, "python_path", node.PythonPath);
        WriteNullable(w, "shell_type", node.ShellType);
        WriteStrings(w, "host_keys", node.HostKeys);
        WriteNullable(w, "external_id", node.ExternalId);
        if (node.Slot is { } slot)
        {
            w.WriteNumber("slot", slot);
        }
        else
        {
            w.WriteNull("slot");
        }

        WriteMap(w, "attributes", node.Attributes);
        w.WriteStartObject("resources");
        w.WriteNumber("instances", node.Resources.Servers);
        w.WriteNumber("cores", node.Resources.Cores);
        w.WriteNumber("ram", node.Resources.RamMb);
        w.WriteEndObject();
        WriteNullable(w, "launcher", node.Launcher);
        w.WriteNumber("created_time", Seconds(node.CreatedTime));
        WriteNullable(w, "tenant_name", node.TenantName);
        WriteNullable(w, "requestor", node.Requestor);
        WriteNullable(w, "hold_job", node.HoldJob);
        WriteNullable(w, "comment", node.Comment);
        if (node.HoldExpiration is { } expiration)
        {
            w.WriteNumber("hold_expiration", (long)expiration.TotalSeconds);
        }
        else
        {
            w.WriteNull("hold_expiration");
        }

        WriteMap(w, "user_data", node.UserData);
    });

    /// <summary>Reads a node znode's body; <paramref name="id"/> is its name.</summary>
    public static Node ReadNode(string id, ReadOnlySpan<byte> json)
    {
        using var doc = JsonDocument.Parse(json.ToArray());
        var r = doc.RootElement;
        var state = NodeStates.ParseNodeState(Str(r, "state") ?? "")
            ?? throw new FormatException($"node {id} has an unknown state '{Str(r, "state")}'");
        var resources = NodeResources.OneServer;
        if (r.TryGetProperty("resources", out var res) && res.ValueKind == JsonValueKind.Object)
        {
            resources = new NodeResources(Int(res, "instances") ?? 1, Int(res, "cores") ?? 0, Int(res, "ram") ?? 0);
        }

        var port = Int(r, "connection_port") ?? Int(r, "ssh_port") ?? 22;
        return new Node(id, state, Time(r, "state_time"), Str(r, "provider") ?? "", Str(r, "pool") ?? "", Strings(r, "type"))
        {
            AllocatedTo = Str(r, "allocated_to"),
            Cloud = Str(r, "cloud"),
            Region = Str(r, "region"),
            Az = Str(r, "az"),
            PublicIpv4 = Str(r, "public_ipv4"),
            PrivateIpv4 = Str(r, "private_ipv4"),
            InterfaceIp = Str(r, "interface_ip"),
            Hostname = Str(r, "hostname"),
            ConnectionType = Str(r, "connection_type") ?? "ssh",
            ConnectionPort = port,
            Username = Str(r, "username") ?? "zuul",
            PythonPath = Str(r, "python_path"),
            ShellType = Str(r, "shell_type"),
            HostKeys = Strings(r, "host_keys"),
            ExternalId = Str(r, "external_id"),
            Slot = Int(r, "slot"),
            Attributes = Map(r, "attributes"),
            Resources = resources,
            Launcher = Str(r, "launcher"),
            CreatedTime = Time(r, "created_time"),
            TenantName = Str(r, "tenant_name"),
            Requestor = Str(r, "requestor"),
            HoldJob = Str(r, "hold_job"),
            Comment = Str(r, "comment"),
            HoldExpiration = Int(r, "hold_expiration") is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            UserData = Map(r, "user_data"),
        };
    }

    private static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? (int)v.GetDouble() : null;

    // Attributes and user data are string maps here; other JSON values are kept as their JSON text.
    private static ImmutableDictionary<string, string> Map(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object
            ? v.EnumerateObject().ToImmutableDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())
            : ImmutableDictionary<string, string>.Empty;

    private static void WriteMap(Utf8JsonWriter w, string name, ImmutableDictionary<string, string> map)
    {
        w.WriteStartObject(name);
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
    }
}

using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gating.Model;

namespace Gating.Executor.Build;

/// <summary>
/// Writes the inventory and the vars files of a build (zuul.md 4.3). Precedence, highest first: site variables,
/// extra-vars, secrets, job vars (with host and group vars), parent data. The inventory holds hosts, groups, job vars
/// and parent data; the <c>zuul</c> dict, extra-vars and site variables are extra-vars files; secrets are per
/// playbook (see <see cref="PlaybookPreparer"/>) and never in the inventory.
/// </summary>
public static class InventoryWriter
{
    /// <summary>The files a playbook run receives, in command-line order (a later <c>-e</c> wins).</summary>
    public sealed record VarsFiles(string ZuulVars, string? ExtraVars, string? SiteVars, string StreamConfig)
    {
        /// <summary>The build's ssh-agent socket (the node key), when the executor has a key.</summary>
        public string? AgentSocket { get; init; }
    }

    /// <summary>Writes inventory.json, zuul_vars.json, extra_vars.json, site_vars.json and the streamer's host list.</summary>
    public static async Task<VarsFiles> WriteAsync(
        BuildDirectory dir, BuildParameters parameters, IReadOnlyList<BuildNode> nodes, Workspace workspace,
        ImmutableArray<PreparedPlaybook> playbooks, ExecutorOptions options, JsonObject? includeVars, CancellationToken cancellationToken)
    {
        var inventory = Inventory(parameters, nodes, options, includeVars);
        await WriteJsonAsync(dir.Inventory, inventory, cancellationToken).ConfigureAwait(false);
        var zuul = new JsonObject { ["zuul"] = ZuulVars.Build(parameters, workspace, playbooks, dir, options) };
        var zuulFile = Path.Combine(dir.Ansible, "zuul_vars.json");
        await WriteJsonAsync(zuulFile, zuul, cancellationToken).ConfigureAwait(false);
        string? extra = null;
        if (parameters.ExtraVars is { ValueKind: JsonValueKind.Object } extraVars)
        {
            extra = Path.Combine(dir.Ansible, "extra_vars.json");
            await File.WriteAllTextAsync(extra, extraVars.GetRawText(), cancellationToken).ConfigureAwait(false);
        }
        string? site = null;
        if (options.SiteVariables is { ValueKind: JsonValueKind.Object } siteVars)
        {
            site = Path.Combine(dir.Ansible, "site_vars.json");
            await File.WriteAllTextAsync(site, siteVars.GetRawText(), cancellationToken).ConfigureAwait(false);
        }
        var stream = new JsonObject();
        foreach (var node in nodes)
        {
            stream[node.Name] = new JsonObject
            {
                ["host"] = node.Host, ["port"] = node.Port, ["user"] = node.User ?? options.DefaultUsername,
                ["connection"] = node.Connection,
            };
        }
        var streamFile = Path.Combine(dir.Ansible, "stream.json");
        await WriteJsonAsync(streamFile, stream, cancellationToken).ConfigureAwait(false);
        // Smart gathering skips hosts with cached facts: localhost gets a small fixed set, so no play ever runs
        // the setup module on the executor (it is refused for untrusted playbooks anyway).
        await WriteJsonAsync(Path.Combine(dir.FactCache, "localhost"), new JsonObject { ["module_setup"] = true, ["ansible_hostname"] = "localhost" }, cancellationToken).ConfigureAwait(false);
        return new VarsFiles(zuulFile, extra, site, streamFile);
    }

    /// <summary>The inventory document.</summary>
    /// <param name="parameters">The build.</param>
    /// <param name="nodes">The inventory hosts.</param>
    /// <param name="options">The executor's options.</param>
    /// <param name="includeVars">The include-vars files' variables: above parent data, below job vars.</param>
    public static JsonObject Inventory(BuildParameters parameters, IReadOnlyList<BuildNode> nodes, ExecutorOptions options, JsonObject? includeVars = null)
    {
        var hosts = new JsonObject();
        foreach (var node in nodes)
        {
            var host = new JsonObject
            {
                ["ansible_host"] = node.Host,
                ["ansible_port"] = node.Port,
                ["ansible_user"] = node.User ?? options.DefaultUsername,
                ["ansible_connection"] = node.Connection,
                ["ansible_python_interpreter"] = node.PythonPath ?? "auto",
            };
            if (node.ShellType is not null)
            {
                host["ansible_shell_type"] = node.ShellType;
            }
            if (node.HostKeys.IsDefaultOrEmpty)
            {
                host["ansible_ssh_common_args"] = "-o StrictHostKeyChecking=false -o UserKnownHostsFile=/dev/null";
            }
            var nodepool = new JsonObject
            {
                ["label"] = node.Label, ["provider"] = node.Provider, ["external_id"] = node.NodeId,
                ["interface_ip"] = node.Host, ["host_id"] = null, ["az"] = null, ["cloud"] = null, ["region"] = null,
            };
            host["nodepool"] = nodepool;
            host["zuul"] = new JsonObject { ["node"] = nodepool.DeepClone() };
            if (parameters.HostVars.TryGetValue(node.Name, out var hostVars))
            {
                JsonMerge.Into(host, hostVars);
            }
            hosts[node.Name] = host;
        }
        var vars = new JsonObject();
        JsonMerge.Into(vars, parameters.ParentData);
        if (includeVars is not null)
        {
            JsonMerge.Into(vars, (JsonObject)includeVars.DeepClone());
        }
        JsonMerge.Into(vars, parameters.Vars);
        vars.Remove("zuul");
        var children = new JsonObject();
        foreach (var group in parameters.Groups)
        {
            var members = new JsonObject();
            foreach (var node in group.Nodes)
            {
                members[node] = null;
            }
            var child = new JsonObject { ["hosts"] = members };
            if (parameters.GroupVars.TryGetValue(group.Name, out var groupVars))
            {
                child["vars"] = JsonNode.Parse(groupVars.GetRawText());
            }
            children[group.Name] = child;
        }
        return new JsonObject { ["all"] = new JsonObject { ["hosts"] = hosts, ["vars"] = vars, ["children"] = children } };
    }

    private static async Task WriteJsonAsync(string path, JsonNode node, CancellationToken cancellationToken)
    {
        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, node, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Deep merge of JSON objects (later values win; objects merge, everything else replaces).</summary>
public static class JsonMerge
{
    /// <summary>Merges <paramref name="source"/> into <paramref name="target"/>.</summary>
    public static void Into(JsonObject target, JsonElement? source)
    {
        if (source is { ValueKind: JsonValueKind.Object } value)
        {
            Into(target, JsonNode.Parse(value.GetRawText())!.AsObject());
        }
    }

    /// <summary>Merges <paramref name="source"/> into <paramref name="target"/>.</summary>
    public static void Into(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source.ToList())
        {
            if (value is JsonObject child && target[key] is JsonObject existing)
            {
                Into(existing, child);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }
}

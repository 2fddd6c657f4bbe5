using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Gating.Model;

namespace Gating.Config.Freezing;

/// <summary>
/// Renders frozen jobs as zuul-client's <c>freeze-job</c> does (a labelled text block), and as JSON. Secrets
/// appear by name only; their data never leaves the layout.
/// </summary>
public static class FrozenJobText
{
    /// <summary>The text form.</summary>
    public static string Format(FrozenJob job, string branch)
    {
        ArgumentNullException.ThrowIfNull(job);
        var text = new StringBuilder();
        text.Append("Job: ").Append(job.Name).Append('\n');
        text.Append("Branch: ").Append(branch).Append('\n');
        if (job.Description is { } description)
        {
            text.Append("Description: ").Append(description.Trim().Replace("\n", " ", StringComparison.Ordinal)).Append('\n');
        }
        text.Append("Voting: ").Append(job.Voting ? "yes" : "no").Append('\n');
        text.Append("Ansible Version: ").Append(job.AnsibleVersion ?? "default").Append('\n');
        text.Append("Workspace Scheme: ").Append(job.WorkspaceScheme).Append('\n');
        text.Append("Attempts: ").Append(job.Attempts.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append("Timeout: ").Append(Seconds(job.Timeout)).Append('\n');
        text.Append("Pre-timeout: ").Append(Seconds(job.PreTimeout)).Append('\n');
        text.Append("Post-timeout: ").Append(Seconds(job.PostTimeout)).Append('\n');
        text.Append("Post-review: ").Append(job.PostReview ? "yes" : "no").Append('\n');
        if (job.OverrideCheckout is { } checkout)
        {
            text.Append("Override checkout: ").Append(checkout).Append('\n');
        }
        text.Append("\nInheritance path:\n");
        foreach (var step in job.InheritancePath)
        {
            text.Append("  ").Append(step).Append('\n');
        }
        text.Append("\nNodeset: ").Append(job.Nodeset.Name ?? (job.Nodeset.Nodes.IsEmpty ? "(none: executor only)" : "(inline)")).Append('\n');
        foreach (var node in job.Nodeset.Nodes)
        {
            text.Append("  ").Append(string.Join(", ", node.Names)).Append(": ").Append(node.Label).Append('\n');
        }
        foreach (var group in job.Nodeset.Groups)
        {
            text.Append("  group ").Append(group.Name).Append(": ").Append(string.Join(", ", group.Nodes)).Append('\n');
        }
        if (!job.Nodeset.Alternatives.IsEmpty)
        {
            text.Append("  alternatives: ").Append(string.Join(" | ", job.Nodeset.Alternatives.Select(a => a.Name ?? "(inline)"))).Append('\n');
        }
        text.Append("\nPlaybooks (in run order):\n");
        Playbooks(text, "pre-run", job.PreRun);
        Playbooks(text, "run", job.Run);
        Playbooks(text, "post-run", job.PostRun);
        Playbooks(text, "cleanup-run", job.CleanupRun);
        if (!job.RequiredProjects.IsEmpty)
        {
            text.Append("\nRequired projects:\n");
            foreach (var project in job.RequiredProjects)
            {
                text.Append("  ").Append(project.Name).Append(project.OverrideCheckout is { } o ? $" (checkout {o})" : "").Append('\n');
            }
        }
        if (!job.Dependencies.IsEmpty)
        {
            text.Append("\nDependencies: ").Append(string.Join(", ", job.Dependencies.Select(d => d.Soft ? d.Name + " (soft)" : d.Name))).Append('\n');
        }
        if (!job.Semaphores.IsEmpty)
        {
            text.Append("Semaphores: ").Append(string.Join(", ", job.Semaphores.Select(s => s.Name))).Append('\n');
        }
        Vars(text, "Variables", job.Vars);
        Vars(text, "Extra variables", job.ExtraVars);
        Vars(text, "Host variables", job.HostVars);
        Vars(text, "Group variables", job.GroupVars);
        return text.ToString();
    }

    private static void Playbooks(StringBuilder text, string phase, IReadOnlyList<FrozenPlaybook> playbooks)
    {
        foreach (var playbook in playbooks)
        {
            text.Append("  ").Append(phase).Append(": ").Append(playbook.Project).Append('/').Append(playbook.Path)
                .Append(" [").Append(playbook.Trusted ? "trusted" : "untrusted").Append(", branch ").Append(playbook.Branch)
                .Append(", level ").Append(playbook.NestingLevel.ToString(CultureInfo.InvariantCulture))
                .Append(playbook.Cleanup ? ", cleanup" : "").Append(']').Append('\n');
            if (!playbook.Secrets.IsEmpty)
            {
                text.Append("      secrets: ").Append(string.Join(", ", playbook.Secrets.Select(s => s.Alias == s.SecretName ? s.Alias : $"{s.Alias} ({s.SecretName})"))).Append('\n');
            }
            if (!playbook.Roles.IsEmpty)
            {
                text.Append("      roles: ").Append(string.Join(", ", playbook.Roles.Select(r => $"{r.Name} ({r.Project})"))).Append('\n');
            }
        }
    }

    private static void Vars(StringBuilder text, string title, VarMap vars)
    {
        if (vars.IsEmpty)
        {
            return;
        }
        text.Append('\n').Append(title).Append(":\n");
        foreach (var line in VarYaml(vars, 1))
        {
            text.Append(line).Append('\n');
        }
    }

    private static IEnumerable<string> VarYaml(VarValue value, int depth)
    {
        var indent = new string(' ', depth * 2);
        switch (value)
        {
            case VarMap map:
                foreach (var (key, item) in map.Entries)
                {
                    if (item is VarScalar scalar)
                    {
                        yield return $"{indent}{key}: {Scalar(scalar)}";
                    }
                    else
                    {
                        yield return $"{indent}{key}:";
                        foreach (var line in VarYaml(item, depth + 1))
                        {
                            yield return line;
                        }
                    }
                }
                break;
            case VarList list:
                foreach (var item in list.Items)
                {
                    if (item is VarScalar scalar)
                    {
                        yield return $"{indent}- {Scalar(scalar)}";
                    }
                    else
                    {
                        yield return $"{indent}-";
                        foreach (var line in VarYaml(item, depth + 1))
                        {
                            yield return line;
                        }
                    }
                }
                break;
        }
    }

    private static string Scalar(VarScalar scalar) => scalar.Kind switch
    {
        VarScalarKind.Null => "null",
        VarScalarKind.String when scalar.Text.Contains('\n', StringComparison.Ordinal) || scalar.Text.Length == 0 =>
            System.Text.Json.JsonSerializer.Serialize(scalar.Text),
        _ => scalar.Text,
    };

    private static string Seconds(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "N/A";

    /// <summary>The JSON form (one object per job).</summary>
    public static JsonObject ToJson(FrozenJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new JsonObject
        {
            ["name"] = job.Name,
            ["inheritance_path"] = new JsonArray([.. job.InheritancePath.Select(s => (JsonNode)JsonValue.Create(s.ToString()))]),
            ["voting"] = job.Voting,
            ["timeout"] = job.Timeout,
            ["pre_timeout"] = job.PreTimeout,
            ["post_timeout"] = job.PostTimeout,
            ["attempts"] = job.Attempts,
            ["post_review"] = job.PostReview,
            ["ansible_version"] = job.AnsibleVersion,
            ["nodeset"] = Nodeset(job.Nodeset),
            ["pre_run"] = PlaybooksJson(job.PreRun),
            ["run"] = PlaybooksJson(job.Run),
            ["post_run"] = PlaybooksJson(job.PostRun),
            ["cleanup_run"] = PlaybooksJson(job.CleanupRun),
            ["vars"] = Json(job.Vars),
            ["extra_vars"] = Json(job.ExtraVars),
            ["host_vars"] = Json(job.HostVars),
            ["group_vars"] = Json(job.GroupVars),
            ["required_projects"] = new JsonArray([.. job.RequiredProjects.Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["override_checkout"] = p.OverrideCheckout })]),
            ["dependencies"] = new JsonArray([.. job.Dependencies.Select(d => (JsonNode)new JsonObject { ["name"] = d.Name, ["soft"] = d.Soft })]),
            ["semaphores"] = new JsonArray([.. job.Semaphores.Select(s => (JsonNode)JsonValue.Create(s.Name))]),
            ["tags"] = new JsonArray([.. job.Tags.Select(t => (JsonNode)JsonValue.Create(t))]),
            ["files"] = new JsonArray([.. job.Files.Select(t => (JsonNode)JsonValue.Create(t))]),
            ["irrelevant_files"] = new JsonArray([.. job.IrrelevantFiles.Select(t => (JsonNode)JsonValue.Create(t))]),
        };
    }

    private static JsonNode Nodeset(FrozenNodeset nodeset) => new JsonObject
    {
        ["name"] = nodeset.Name,
        ["nodes"] = new JsonArray([.. nodeset.Nodes.Select(n => (JsonNode)new JsonObject
        {
            ["name"] = new JsonArray([.. n.Names.Select(x => (JsonNode)JsonValue.Create(x))]),
            ["label"] = n.Label,
        })]),
        ["groups"] = new JsonArray([.. nodeset.Groups.Select(g => (JsonNode)new JsonObject
        {
            ["name"] = g.Name,
            ["nodes"] = new JsonArray([.. g.Nodes.Select(x => (JsonNode)JsonValue.Create(x))]),
        })]),
        ["alternatives"] = new JsonArray([.. nodeset.Alternatives.Select(a => (JsonNode)JsonValue.Create(a.Name ?? "(inline)"))]),
    };

    private static JsonArray PlaybooksJson(IReadOnlyList<FrozenPlaybook> playbooks) => new([.. playbooks.Select(p => (JsonNode)new JsonObject
    {
        ["path"] = p.Path,
        ["project"] = p.Project,
        ["branch"] = p.Branch,
        ["trusted"] = p.Trusted,
        ["nesting_level"] = p.NestingLevel,
        ["cleanup"] = p.Cleanup,
        ["secrets"] = new JsonArray([.. p.Secrets.Select(s => (JsonNode)JsonValue.Create(s.Alias))]),
        ["roles"] = new JsonArray([.. p.Roles.Select(r => (JsonNode)new JsonObject { ["target_name"] = r.Name, ["project"] = r.Project })]),
        ["semaphores"] = new JsonArray([.. p.Semaphores.Select(s => (JsonNode)JsonValue.Create(s))]),
    })]);

    /// <summary>A variable value as JSON, keeping scalar types.</summary>
    public static JsonNode? Json(VarValue value) => value switch
    {
        VarMap map => new JsonObject(map.Entries.Select(e => KeyValuePair.Create(e.Key, Json(e.Value)))),
        VarList list => new JsonArray([.. list.Items.Select(Json)]),
        VarScalar { Kind: VarScalarKind.Null } => null,
        VarScalar { Kind: VarScalarKind.Bool } s => JsonValue.Create(s.Text == "true"),
        VarScalar { Kind: VarScalarKind.Int } s when long.TryParse(s.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => JsonValue.Create(i),
        VarScalar { Kind: VarScalarKind.Float } s when double.TryParse(s.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => JsonValue.Create(d),
        VarScalar s => JsonValue.Create(s.Text),
        _ => null,
    };
}

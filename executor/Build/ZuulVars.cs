using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gating.Model;

namespace Gating.Executor.Build;

/// <summary>The <c>zuul</c> dict every playbook sees (zuul.md 4.3).</summary>
public static class ZuulVars
{
    /// <summary>Builds the dict.</summary>
    public static JsonObject Build(
        BuildParameters p, Workspace workspace, ImmutableArray<PreparedPlaybook> playbooks, BuildDirectory dir, ExecutorOptions options)
    {
        string SrcDir(ProjectRef project) => workspace.Projects.TryGetValue(project, out var w)
            ? Path.GetRelativePath(dir.Work, w.Path)
            : Path.Combine("src", project.Project);
        JsonObject ProjectInfo(BuildProject project) => new()
        {
            ["name"] = project.Name, ["short_name"] = project.ShortName, ["canonical_hostname"] = project.CanonicalHostname,
            ["canonical_name"] = project.CanonicalName, ["src_dir"] = SrcDir(project.Ref),
        };
        var zuul = new JsonObject
        {
            ["build"] = p.BuildId,
            ["buildset"] = p.BuildSetId,
            ["tenant"] = p.Tenant,
            ["pipeline"] = p.Pipeline,
            ["post_review"] = p.PostReview,
            ["job"] = p.Job,
            ["jobtags"] = Array(p.JobTags),
            ["voting"] = p.Voting,
            ["attempts"] = p.Attempts,
            ["max_attempts"] = p.MaxAttempts,
            ["timeout"] = Seconds(p.Timeout),
            ["pre_timeout"] = Seconds(p.PreTimeout),
            ["post_timeout"] = Seconds(p.PostTimeout),
            ["event_id"] = p.EventId,
            ["ansible_version"] = "2.14",
            ["override_checkout"] = p.OverrideCheckout,
            ["project"] = ProjectInfo(p.Project),
            ["branch"] = p.Branch,
            ["ref"] = p.Ref,
            ["child_jobs"] = Array(p.ChildJobs),
            ["_inheritance_path"] = Array(p.InheritancePath),
        };
        if (p.Change is not null)
        {
            zuul["change"] = p.Change;
            zuul["patchset"] = p.Patchset;
            zuul["change_url"] = p.ChangeUrl;
            zuul["change_message"] = p.Message;
            zuul["message"] = p.Message is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes(p.Message));
        }
        var own = p.Items.LastOrDefault(i => i.Project.Ref == p.Project.Ref);
        if (own is not null)
        {
            zuul["commit_id"] = own.Merge.Commit ?? own.Newrev;
            if (own.Oldrev is not null || own.Newrev is not null)
            {
                zuul["oldrev"] = own.Oldrev;
                zuul["newrev"] = own.Newrev;
            }
        }
        var items = new JsonArray();
        foreach (var item in p.Items)
        {
            items.Add(new JsonObject
            {
                ["project"] = ProjectInfo(item.Project), ["branch"] = item.Merge.Branch, ["change"] = item.Merge.Change,
                ["patchset"] = item.Merge.Patchset, ["ref"] = item.Merge.Ref, ["change_url"] = item.ChangeUrl,
                ["commit_id"] = item.Merge.Commit, ["oldrev"] = item.Oldrev, ["newrev"] = item.Newrev, ["topic"] = item.Topic,
            });
        }
        zuul["items"] = items;
        var projects = new JsonObject();
        foreach (var (_, w) in workspace.Projects.OrderBy(kv => kv.Value.Project.CanonicalName, StringComparer.Ordinal))
        {
            var info = ProjectInfo(w.Project);
            info["required"] = w.Required;
            info["checkout"] = w.Checkout;
            info["checkout_description"] = w.CheckoutDescription;
            info["commit"] = w.Commit;
            projects[w.Project.CanonicalName] = info;
        }
        zuul["projects"] = projects;
        var artifacts = new JsonArray();
        foreach (var artifact in p.Artifacts)
        {
            artifacts.Add(new JsonObject
            {
                ["name"] = artifact.Name, ["url"] = artifact.Url, ["project"] = artifact.Project, ["change"] = artifact.Change,
                ["patchset"] = artifact.Patchset, ["job"] = artifact.Job,
                ["metadata"] = artifact.Metadata is { } m ? JsonNode.Parse(m.GetRawText()) : null,
            });
        }
        zuul["artifacts"] = artifacts;
        var contextPlaybooks = new JsonArray();
        foreach (var playbook in playbooks)
        {
            contextPlaybooks.Add(new JsonObject
            {
                ["path"] = playbook.PlaybookFile,
                ["phase"] = playbook.Phase.ToString().ToLowerInvariant(),
                ["trusted"] = playbook.Playbook.Trusted,
                ["roles"] = new JsonArray([.. playbook.RolePaths.Select(r => (JsonNode)JsonValue.Create(r))]),
            });
        }
        zuul["playbook_context"] = new JsonObject { ["playbooks"] = contextPlaybooks };
        zuul["executor"] = new JsonObject
        {
            ["hostname"] = options.Hostname, ["src_root"] = dir.Src, ["log_root"] = dir.Logs, ["work_root"] = dir.Work,
            ["inventory_file"] = dir.Inventory, ["result_data_file"] = dir.ResultsFile,
        };
        return zuul;
    }

    private static JsonArray Array(ImmutableArray<string> values) =>
        new([.. (values.IsDefault ? [] : values).Select(v => (JsonNode)JsonValue.Create(v))]);

    private static JsonNode? Seconds(TimeSpan? value) => value is { } v ? JsonValue.Create((long)v.TotalSeconds) : null;

    /// <summary>Serialises for tests and debugging.</summary>
    public static string ToJson(JsonObject zuul) => zuul.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}

using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Gating.Model;

namespace Gating.Config.Freezing;

/// <summary>Renders a job graph as text (one job per line with its dependencies), Graphviz dot, or JSON.</summary>
public static class JobGraphText
{
    /// <summary>One line per job in graph order: name, voting, and what it waits for.</summary>
    public static string Text(JobGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var text = new StringBuilder();
        foreach (var job in graph.Jobs)
        {
            text.Append(job.Name);
            if (!job.Voting)
            {
                text.Append(" (non-voting)");
            }
            var deps = graph.DependenciesOf(job.Name).Select(e => e.Soft ? e.DependsOn + " (soft)" : e.DependsOn).ToList();
            if (deps.Count > 0)
            {
                text.Append(" <- ").Append(string.Join(", ", deps));
            }
            text.Append('\n');
        }
        text.Append(graph.Jobs.Length.ToString(CultureInfo.InvariantCulture)).Append(" jobs, ")
            .Append(graph.Edges.Length.ToString(CultureInfo.InvariantCulture)).Append(" dependencies\n");
        return text.ToString();
    }

    /// <summary>Graphviz: an edge from each dependency to its dependent; soft edges dashed, non-voting jobs dashed.</summary>
    public static string Dot(JobGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var text = new StringBuilder("digraph job_graph {\n  rankdir=LR;\n  node [shape=box];\n");
        foreach (var job in graph.Jobs)
        {
            text.Append("  ").Append(Quote(job.Name)).Append(job.Voting ? "" : " [style=dashed]").Append(";\n");
        }
        foreach (var edge in graph.Edges)
        {
            text.Append("  ").Append(Quote(edge.DependsOn)).Append(" -> ").Append(Quote(edge.Job)).Append(edge.Soft ? " [style=dashed]" : "").Append(";\n");
        }
        return text.Append("}\n").ToString();
    }

    /// <summary>JSON: jobs (as freeze-job JSON) and edges.</summary>
    public static JsonObject Json(JobGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return new JsonObject
        {
            ["jobs"] = new JsonArray([.. graph.Jobs.Select(j => (JsonNode)FrozenJobText.ToJson(j))]),
            ["dependencies"] = new JsonArray([.. graph.Edges.Select(e => (JsonNode)new JsonObject { ["job"] = e.Job, ["depends_on"] = e.DependsOn, ["soft"] = e.Soft })]),
        };
    }

    private static string Quote(string name) => "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}

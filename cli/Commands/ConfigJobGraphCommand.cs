using System.CommandLine;
using System.Text.Json;
using Gating.Config.Freezing;

namespace Gating.Cli.Commands;

/// <summary>
/// `gating config job-graph --project NAME --pipeline P [--branch B] [--file F]... [--format text|dot|json] [loading options]`:
/// freezes every job the project runs in the pipeline and prints the graph. Exit 0 without errors, 1 with
/// configuration errors (missing dependency, cycle...), 2 for bad usage.
/// </summary>
internal static class ConfigJobGraphCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var loading = new FreezeLoadingOptions();
        var project = new Option<string>("--project") { Description = "The project the change belongs to.", Required = true };
        var pipeline = new Option<string>("--pipeline") { Description = "The pipeline.", Required = true };
        var branch = new Option<string>("--branch") { Description = "The change's branch.", DefaultValueFactory = _ => "master" };
        var files = new Option<string[]>("--file") { Description = "A file the change touches (repeat); file matchers apply only when given." };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "dot", "json");
        var command = new Command("job-graph", "Freeze the job graph of a project's pipeline and print it.")
        {
            project, pipeline, branch, files, format,
        };
        loading.AddTo(command);
        command.SetAction(parse =>
        {
            var layout = loading.Load(parse, stderr, "job-graph");
            if (layout is null)
            {
                return GatingCommandLine.UsageError;
            }
            var givenFiles = parse.GetValue(files) ?? [];
            var request = new FreezeRequest(parse.GetValue(project)!, parse.GetValue(branch)!, parse.GetValue(pipeline),
                givenFiles.Length == 0 ? null : [.. givenFiles]);
            var result = new JobFreezer(layout).FreezeJobGraph(request);
            FreezeLoadingOptions.WriteProblems(result.Errors, stderr);
            switch (parse.GetValue(format))
            {
                case "dot":
                    stdout.Write(JobGraphText.Dot(result.Graph));
                    break;
                case "json":
                    var json = JobGraphText.Json(result.Graph);
                    json["errors"] = new System.Text.Json.Nodes.JsonArray([.. result.Errors.Select(e => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(e.ToString()))]);
                    stdout.WriteLine(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                    break;
                default:
                    stdout.Write(JobGraphText.Text(result.Graph));
                    break;
            }
            return result.Ok ? 0 : 1;
        });
        return command;
    }
}

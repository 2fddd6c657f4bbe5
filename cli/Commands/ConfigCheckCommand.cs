using System.CommandLine;
using System.Text.Json;
using Gating.Config.Loading;

namespace Gating.Cli.Commands;

/// <summary>
/// `gating config check [--tenant FILE] [--tenant-name NAME] [--repo NAME=PATH]... [--repos-root DIR] [--json] [PATH]...`:
/// loads configuration and prints one line per problem, then `N errors, M warnings`.
/// Exit 0 without errors, 1 with errors, 2 for bad usage.
/// </summary>
internal static class ConfigCheckCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var loading = new ConfigLoadingOptions("Check only this tenant of the tenant file.");
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON document." };
        var command = new Command("check", "Load Zuul configuration and report every problem with its location.") { json };
        loading.AddTo(command);
        command.SetAction(parse =>
        {
            var request = loading.Request(parse, out var problem);
            return request is null ? ConfigLoadingOptions.Usage(stderr, "check", problem!) : Run(request, parse.GetValue(json), stdout, stderr);
        });
        return command;
    }

    private static int Run(ConfigCheckRequest request, bool json, TextWriter stdout, TextWriter stderr)
    {
        ConfigCheckResult result;
        try
        {
            result = ConfigCheck.Run(request);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"gating: {e.Message}");
            return GatingCommandLine.UsageError;
        }
        if (json) WriteJson(result, stdout);
        else
        {
            foreach (var p in result.Problems) stdout.WriteLine(p.ToString());
            stdout.WriteLine($"{result.ErrorCount} errors, {result.WarningCount} warnings");
        }
        return result.ErrorCount > 0 ? 1 : 0;
    }

    private static void WriteJson(ConfigCheckResult result, TextWriter stdout)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("problems");
            foreach (var p in result.Problems)
            {
                w.WriteStartObject();
                w.WriteString("path", p.DisplayPath);
                w.WriteNumber("line", p.Error.Line);
                w.WriteNumber("column", p.Error.Column);
                w.WriteString("severity", p.Error.IsError ? "error" : "warning");
                w.WriteString("code", p.Error.Code);
                w.WriteString("message", p.Error.Message);
                if (p.Error.Project is { } project) w.WriteString("project", project);
                if (p.Error.Branch is { } branch) w.WriteString("branch", branch);
                if (p.Tenant is { } tenant) w.WriteString("tenant", tenant);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("errors", result.ErrorCount);
            w.WriteNumber("warnings", result.WarningCount);
            w.WriteEndObject();
        }
        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}

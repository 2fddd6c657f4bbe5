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
        var tenant = new Option<string?>("--tenant") { Description = "Tenant file (main.yaml); every project it names is loaded." };
        var tenantName = new Option<string?>("--tenant-name") { Description = "Check only this tenant of the tenant file." };
        var repo = new Option<string[]>("--repo") { Description = "NAME=PATH: the repository root of project NAME.", AllowMultipleArgumentsPerToken = false };
        var reposRoot = new Option<string?>("--repos-root") { Description = "Find project NAME at DIR/NAME when no --repo names it." };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON document." };
        var paths = new Argument<string[]>("PATH") { Description = "Without --tenant: repository roots, config directories or files, each a trusted project.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("check", "Load Zuul configuration and report every problem with its location.")
        {
            tenant, tenantName, repo, reposRoot, json, paths,
        };
        command.SetAction(parse => Run(
            parse.GetValue(tenant), parse.GetValue(tenantName), parse.GetValue(repo) ?? [], parse.GetValue(reposRoot),
            parse.GetValue(json), parse.GetValue(paths) ?? [], stdout, stderr));
        return command;
    }

    private static int Run(string? tenantFile, string? tenantName, string[] repos, string? reposRoot, bool json, string[] paths, TextWriter stdout, TextWriter stderr)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var r in repos)
        {
            int eq = r.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == r.Length - 1)
            {
                return Usage(stderr, $"--repo expects NAME=PATH, got '{r}'");
            }
            pairs.Add(new(r[..eq], r[(eq + 1)..]));
        }
        if (tenantFile is null && paths.Length == 0) return Usage(stderr, "give --tenant FILE or at least one PATH");
        if (tenantFile is not null && paths.Length > 0) return Usage(stderr, "PATH arguments are only for use without --tenant");
        if (tenantFile is null && (pairs.Count > 0 || reposRoot is not null || tenantName is not null))
        {
            return Usage(stderr, "--repo, --repos-root and --tenant-name need --tenant");
        }
        if (tenantFile is not null && !File.Exists(tenantFile)) return Usage(stderr, $"tenant file '{tenantFile}' does not exist");
        foreach (var p in paths)
        {
            if (!File.Exists(p) && !Directory.Exists(p)) return Usage(stderr, $"'{p}' does not exist");
        }
        foreach (var (name, path) in pairs)
        {
            if (!Directory.Exists(path)) return Usage(stderr, $"--repo {name}: '{path}' is not a directory");
        }
        if (reposRoot is not null && !Directory.Exists(reposRoot)) return Usage(stderr, $"--repos-root '{reposRoot}' is not a directory");

        ConfigCheckResult result;
        try
        {
            result = ConfigCheck.Run(new ConfigCheckRequest(tenantFile, pairs, reposRoot, paths, tenantName));
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

    private static int Usage(TextWriter stderr, string message)
    {
        stderr.WriteLine($"gating config check: {message}");
        stderr.WriteLine("Run 'gating config check --help' for usage.");
        return GatingCommandLine.UsageError;
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

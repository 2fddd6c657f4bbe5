using System.CommandLine;
using System.Text.Json;
using Gating.Config.Errors;
using Gating.Config.Freezing;
using Gating.Config.Loading;

namespace Gating.Cli.Commands;

/// <summary>
/// `gating config freeze-job --job NAME --project NAME [--branch B] [--pipeline P] [--file F]... [loading options]`:
/// prints the job as it would run (inheritance path, playbooks in run order with project and trust, vars,
/// nodeset, timeout, secrets by name), like zuul-client's freeze-job. Exit 0 frozen, 1 config errors, 2 bad usage.
/// </summary>
internal static class ConfigFreezeJobCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var loading = new FreezeLoadingOptions();
        var job = new Option<string>("--job") { Description = "The job to freeze.", Required = true };
        var project = new Option<string>("--project") { Description = "The project the change belongs to.", Required = true };
        var branch = new Option<string>("--branch") { Description = "The change's branch.", DefaultValueFactory = _ => "master" };
        var pipeline = new Option<string?>("--pipeline") { Description = "The pipeline; its project-pipeline variants apply and the job must be listed in it." };
        var files = new Option<string[]>("--file") { Description = "A file the change touches (repeat); file matchers apply only when given." };
        var json = new Option<bool>("--json") { Description = "Print the frozen job as JSON." };
        var command = new Command("freeze-job", "Freeze one job for a project, branch and pipeline and print it (like zuul-client freeze-job).")
        {
            job, project, branch, pipeline, files, json,
        };
        loading.AddTo(command);
        command.SetAction(parse =>
        {
            var layout = loading.Load(parse, stderr, "freeze-job");
            if (layout is null)
            {
                return GatingCommandLine.UsageError;
            }
            var givenFiles = parse.GetValue(files) ?? [];
            var request = new FreezeRequest(parse.GetValue(project)!, parse.GetValue(branch)!, parse.GetValue(pipeline),
                givenFiles.Length == 0 ? null : [.. givenFiles]);
            var result = new JobFreezer(layout).FreezeJob(parse.GetValue(job)!, request);
            FreezeLoadingOptions.WriteProblems(result.Errors, stderr);
            if (result.Job is null)
            {
                foreach (var note in result.Debug.Where(d => result.Errors.All(e => e.Message != d)))
                {
                    stderr.WriteLine($"note: {note}");
                }
                return 1;
            }
            if (parse.GetValue(json))
            {
                stdout.WriteLine(FrozenJobText.ToJson(result.Job).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                stdout.Write(FrozenJobText.Format(result.Job, request.Branch));
                if (!result.MatchesFiles)
                {
                    stdout.WriteLine("\nNote: the given files do not match this job's file matchers; it would not run for this change.");
                }
            }
            return result.Ok ? 0 : 1;
        });
        return command;
    }
}

/// <summary>
/// The loading options of <c>gating config check</c> (<c>--tenant</c>, <c>--tenant-name</c>, <c>--repo</c>,
/// <c>--repos-root</c>, <c>PATH...</c>) for the commands that freeze, loading through <see cref="ConfigCheck"/>.
/// </summary>
internal sealed class FreezeLoadingOptions
{
    private readonly ConfigLoadingOptions _options = new("The tenant of the tenant file to use (needed when it has several).");

    public void AddTo(Command command) => _options.AddTo(command);

    /// <summary>Loads the layout; null after printing a usage problem.</summary>
    public FreezeLayout? Load(ParseResult parse, TextWriter stderr, string verb)
    {
        var request = _options.Request(parse, out var problem);
        if (request is null)
        {
            return Usage(stderr, verb, problem!);
        }
        ConfigCheckResult result;
        try
        {
            result = ConfigCheck.Run(request);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Usage(stderr, verb, e.Message);
        }
        if (result.Layouts.Length != 1)
        {
            return Usage(stderr, verb, result.Layouts.IsEmpty
                ? "no tenant was loaded"
                : $"the tenant file has {result.Layouts.Length} tenants; choose one with --tenant-name ({string.Join(", ", result.Layouts.Select(l => l.Tenant.Name))})");
        }
        if (result.ErrorCount > 0)
        {
            stderr.WriteLine($"warning: the configuration has {result.ErrorCount} errors (see 'gating config check'); the objects with errors were skipped");
        }
        return FreezeLayout.From(result.Layouts[0]);
    }

    public static void WriteProblems(IEnumerable<ConfigError> errors, TextWriter stderr)
    {
        foreach (var e in errors)
        {
            var where = e.Project is null ? "" : $" (project {e.Project}{(e.Branch is { Length: > 0 } b ? $", branch {b}" : "")})";
            stderr.WriteLine(e + where);
        }
    }

    private static FreezeLayout? Usage(TextWriter stderr, string verb, string message)
    {
        ConfigLoadingOptions.Usage(stderr, verb, message);
        return null;
    }
}

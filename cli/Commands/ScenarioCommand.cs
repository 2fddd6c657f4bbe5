using System.CommandLine;
using Gating.Testing.Cluster;
using Gating.Testing.Scenarios;

namespace Gating.Cli.Commands;

/// <summary>
/// `gating scenario run FILE...`: runs scenario files (docs/scenarios.md) on the in-process cluster. Exit 0 when
/// every expectation holds, 1 when one fails (printed with its file:line and the actual state), 2 on usage or
/// format errors. `--check` only parses.
/// </summary>
internal static class ScenarioCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Func<IScenarioClusterFactory?>? factory = null)
    {
        var files = new Argument<string[]>("files") { Description = "Scenario files or directories of *.yaml files.", Arity = ArgumentArity.OneOrMore };
        var check = new Option<bool>("--check") { Description = "Only parse the files and report format errors." };
        var run = new Command("run", "Run scenario files against the in-process cluster.") { files, check };
        run.SetAction(async (parse, cancellationToken) =>
        {
            var paths = ScenarioBatch.Expand(parse.GetValue(files) ?? []);
            var missing = paths.Where(p => !File.Exists(p)).ToList();
            if (missing.Count > 0)
            {
                foreach (var m in missing)
                {
                    await stderr.WriteLineAsync($"gating scenario run: no such file: {m}");
                }
                return GatingCommandLine.UsageError;
            }
            bool checkOnly = parse.GetValue(check);
            var clusters = checkOnly ? null : factory?.Invoke() ?? new TestClusterFactory();
            return await ScenarioBatch.RunAsync(paths, clusters, checkOnly, stdout, cancellationToken);
        });
        return new Command("scenario", "Whole-system scenario files (docs/scenarios.md).") { run };
    }
}

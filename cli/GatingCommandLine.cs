using System.CommandLine;
using Gating.Cli.Commands;

namespace Gating.Cli;

/// <summary>The `gating` command tree. Every verb registers here; each lives in its own file under Commands/.</summary>
public static class GatingCommandLine
{
    /// <summary>Exit code for bad usage (unknown verb, missing or malformed option).</summary>
    public const int UsageError = 2;

    /// <summary>Builds the root command with every verb.</summary>
    public static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("Gating: speculative gating CI, compatible with Zuul v3 configuration.");
        root.Subcommands.Add(VersionCommand.Create(stdout));
        root.Subcommands.Add(ConfigCommand.Create(stdout, stderr));
        root.Subcommands.Add(EncryptCommand.Create(stdout, stderr));
        root.Subcommands.Add(ScenarioCommand.Create(stdout, stderr));
        root.Subcommands.Add(LauncherCommand.Create(stdout, stderr));
        root.Subcommands.Add(ExecutorCommand.Create(stdout, stderr));
        return root;
    }

    /// <summary>Parses and runs; parse errors print to stderr and give exit code 2.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var root = Build(stdout, stderr);
        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await stderr.WriteLineAsync($"gating: {error.Message}");
            }
            await stderr.WriteLineAsync("Run 'gating --help' for usage.");
            return UsageError;
        }
        return await parsed.InvokeAsync(config, cancellationToken);
    }
}

using System.CommandLine;

namespace Gating.Cli.Commands;

/// <summary>`gating config ...`: load, check and inspect Zuul-compatible configuration.</summary>
internal static class ConfigCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("config", "Load, check and inspect Zuul v3 configuration.");
        command.Subcommands.Add(ConfigCheckCommand.Create(stdout, stderr));
        command.Subcommands.Add(ConfigFreezeJobCommand.Create(stdout, stderr));
        command.Subcommands.Add(ConfigJobGraphCommand.Create(stdout, stderr));
        return command;
    }
}

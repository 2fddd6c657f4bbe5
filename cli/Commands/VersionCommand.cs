using System.CommandLine;
using System.Reflection;

namespace Gating.Cli.Commands;

/// <summary>`gating version`: prints the build's version.</summary>
internal static class VersionCommand
{
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("version", "Print Gating's version.");
        command.SetAction(_ =>
        {
            var version = typeof(VersionCommand).Assembly
                .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            stdout.WriteLine($"gating {version}");
            return 0;
        });
        return command;
    }
}

using Gating.Cli;

namespace Gating.Cli.Tests;

public sealed class CommandLineTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await GatingCommandLine.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Help_lists_every_verb()
    {
        var (code, output, _) = await RunAsync("--help");
        Assert.Equal(0, code);
        Assert.Contains("config", output);
        Assert.Contains("version", output);
    }

    [Fact]
    public async Task Unknown_verb_is_bad_usage_with_exit_code_2()
    {
        var (code, _, error) = await RunAsync("no-such-verb");
        Assert.Equal(GatingCommandLine.UsageError, code);
        Assert.Contains("no-such-verb", error);
    }

    [Fact]
    public async Task Every_verb_has_help()
    {
        var root = GatingCommandLine.Build(TextWriter.Null, TextWriter.Null);
        foreach (var verb in AllCommands(root))
        {
            Assert.False(string.IsNullOrWhiteSpace(verb.Description), $"'{verb.Name}' has no description");
        }
        var (code, output, _) = await RunAsync("version");
        Assert.Equal(0, code);
        Assert.StartsWith("gating ", output);
    }

    private static IEnumerable<System.CommandLine.Command> AllCommands(System.CommandLine.Command command)
    {
        yield return command;
        foreach (var sub in command.Subcommands)
        {
            foreach (var c in AllCommands(sub))
            {
                yield return c;
            }
        }
    }
}

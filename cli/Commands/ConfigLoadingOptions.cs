using System.CommandLine;
using Gating.Config.Loading;

namespace Gating.Cli.Commands;

/// <summary>
/// The loading options every <c>gating config</c> verb shares (<c>--tenant</c>, <c>--tenant-name</c>, <c>--repo</c>,
/// <c>--repos-root</c>, <c>PATH...</c>) and their validation, so the verbs cannot disagree on what they accept.
/// </summary>
internal sealed class ConfigLoadingOptions
{
    private readonly Option<string?> _tenant = new("--tenant") { Description = "Tenant file (main.yaml); every project it names is loaded." };
    private readonly Option<string?> _tenantName;
    private readonly Option<string[]> _repo = new("--repo") { Description = "NAME=PATH: the repository root of project NAME.", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string?> _reposRoot = new("--repos-root") { Description = "Find project NAME at DIR/NAME when no --repo names it." };
    private readonly Argument<string[]> _paths = new("PATH") { Description = "Without --tenant: repository roots, config directories or files, each a trusted project.", Arity = ArgumentArity.ZeroOrMore };

    /// <param name="tenantNameDescription">What <c>--tenant-name</c> means for the verb.</param>
    public ConfigLoadingOptions(string tenantNameDescription)
    {
        _tenantName = new("--tenant-name") { Description = tenantNameDescription };
    }

    /// <summary>Add the options and the PATH argument to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_tenant);
        command.Options.Add(_tenantName);
        command.Options.Add(_repo);
        command.Options.Add(_reposRoot);
        command.Arguments.Add(_paths);
    }

    /// <summary>The loading request the options describe, or null with <paramref name="problem"/> set for bad usage.</summary>
    public ConfigCheckRequest? Request(ParseResult parse, out string? problem)
    {
        problem = null;
        var tenantFile = parse.GetValue(_tenant);
        var tenantName = parse.GetValue(_tenantName);
        var reposRoot = parse.GetValue(_reposRoot);
        var paths = parse.GetValue(_paths) ?? [];
        var repos = new List<KeyValuePair<string, string>>();
        foreach (var r in parse.GetValue(_repo) ?? [])
        {
            var eq = r.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == r.Length - 1)
            {
                problem = $"--repo expects NAME=PATH, got '{r}'";
                return null;
            }
            repos.Add(new(r[..eq], r[(eq + 1)..]));
        }
        problem = Validate(tenantFile, tenantName, repos, reposRoot, paths);
        return problem is null ? new ConfigCheckRequest(tenantFile, repos, reposRoot, paths, tenantName) : null;
    }

    private static string? Validate(string? tenantFile, string? tenantName, List<KeyValuePair<string, string>> repos, string? reposRoot, string[] paths)
    {
        if (tenantFile is null && paths.Length == 0) return "give --tenant FILE or at least one PATH";
        if (tenantFile is not null && paths.Length > 0) return "PATH arguments are only for use without --tenant";
        if (tenantFile is null && (repos.Count > 0 || reposRoot is not null || tenantName is not null))
        {
            return "--repo, --repos-root and --tenant-name need --tenant";
        }
        if (tenantFile is not null && !File.Exists(tenantFile)) return $"tenant file '{tenantFile}' does not exist";
        if (paths.FirstOrDefault(p => !File.Exists(p) && !Directory.Exists(p)) is { } missing) return $"'{missing}' does not exist";
        if (repos.FirstOrDefault(r => !Directory.Exists(r.Value)) is { Key: not null } bad) return $"--repo {bad.Key}: '{bad.Value}' is not a directory";
        if (reposRoot is not null && !Directory.Exists(reposRoot)) return $"--repos-root '{reposRoot}' is not a directory";
        return null;
    }

    /// <summary>Print a usage problem the way every config verb does; returns the usage exit code.</summary>
    public static int Usage(TextWriter stderr, string verb, string message)
    {
        stderr.WriteLine($"gating config {verb}: {message}");
        stderr.WriteLine($"Run 'gating config {verb} --help' for usage.");
        return GatingCommandLine.UsageError;
    }
}

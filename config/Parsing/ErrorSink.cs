using Gating.Config.Errors;
using Gating.Config.Yaml;

namespace Gating.Config.Parsing;

/// <summary>Collects <see cref="ConfigError"/>s for one project branch, stamping them with project and branch.</summary>
public sealed class ErrorSink
{
    private readonly List<ConfigError> _errors = [];

    /// <summary>Creates a sink for problems of <paramref name="project"/>/<paramref name="branch"/> (both optional).</summary>
    public ErrorSink(string? project = null, string? branch = null)
    {
        Project = project;
        Branch = branch;
    }

    /// <summary>Project stamped on every problem.</summary>
    public string? Project { get; }
    /// <summary>Branch stamped on every problem.</summary>
    public string? Branch { get; }
    /// <summary>Number of errors (not warnings) so far; a parser compares it before/after a stanza.</summary>
    public int ErrorCount { get; private set; }
    /// <summary>Everything collected, in order.</summary>
    public IReadOnlyList<ConfigError> All => _errors;

    /// <summary>Adds an error.</summary>
    public void Error(string code, SourceLocation at, string message) => Add(code, ConfigSeverity.Error, at, message);

    /// <summary>Adds a warning.</summary>
    public void Warning(string code, SourceLocation at, string message) => Add(code, ConfigSeverity.Warning, at, message);

    /// <summary>Adds a problem.</summary>
    public void Add(string code, ConfigSeverity severity, SourceLocation at, string message)
    {
        if (severity == ConfigSeverity.Error) ErrorCount++;
        _errors.Add(new ConfigError(code, severity, message, at.File, at.Line, at.Column, Project, Branch));
    }

    /// <summary>Adds a problem found elsewhere (e.g. by the YAML reader), stamping project and branch.</summary>
    public void Add(ConfigError error)
    {
        if (error.IsError) ErrorCount++;
        _errors.Add(error with { Project = error.Project ?? Project, Branch = error.Branch ?? Branch });
    }
}

namespace Gating.Config.Errors;

/// <summary>How bad a configuration problem is: errors skip the stanza they are in, warnings only inform.</summary>
public enum ConfigSeverity
{
    /// <summary>The object (stanza, file) it names was not loaded.</summary>
    Error,

    /// <summary>Loaded anyway; worth fixing (deprecated or newer-than-supported syntax, non-RE2 regex...).</summary>
    Warning,
}

/// <summary>
/// One configuration problem, as a value. The loader never throws: every problem becomes one of these, with the
/// place it was found and a stable kebab-case <see cref="Code"/> (see docs/config-errors.md).
/// </summary>
/// <param name="Code">Stable kebab-case word, e.g. <c>duplicate-key</c>; see <see cref="ConfigErrorCodes"/>.</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Message">Human-readable text that names what failed.</param>
/// <param name="File">Path of the file, relative to its project's repository root (or as given).</param>
/// <param name="Line">1-based line, 0 when unknown.</param>
/// <param name="Column">1-based column, 0 when unknown.</param>
/// <param name="Project">Project the file belongs to, if any.</param>
/// <param name="Branch">Branch the file was read from, if any.</param>
public sealed record ConfigError(
    string Code,
    ConfigSeverity Severity,
    string Message,
    string File,
    int Line,
    int Column,
    string? Project = null,
    string? Branch = null)
{
    /// <summary>Creates an error at a source location.</summary>
    public static ConfigError At(string code, in Yaml.SourceLocation at, string message, ConfigSeverity severity = ConfigSeverity.Error) =>
        new(code, severity, message, at.File, at.Line, at.Column);

    /// <summary>Creates a warning at a source location.</summary>
    public static ConfigError WarningAt(string code, in Yaml.SourceLocation at, string message) =>
        new(code, ConfigSeverity.Warning, message, at.File, at.Line, at.Column);

    /// <summary>True for <see cref="ConfigSeverity.Error"/>.</summary>
    public bool IsError => Severity == ConfigSeverity.Error;

    /// <summary>The one-line form the CLI prints: <c>PATH:LINE:COLUMN: error[CODE]: MESSAGE</c>.</summary>
    public override string ToString() =>
        $"{File}:{Line}:{Column}: {(IsError ? "error" : "warning")}[{Code}]: {Message}";
}

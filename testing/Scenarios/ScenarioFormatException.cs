using System.Collections.Immutable;
using Gating.Config.Yaml;

namespace Gating.Testing.Scenarios;

/// <summary>One problem in a scenario file, at file:line:column.</summary>
public sealed record ScenarioFormatError(SourceLocation At, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{At.File}:{At.Line}:{At.Column}: {Message}";
}

/// <summary>A scenario file that cannot be read; every problem found is listed (exit code 2 in the CLI).</summary>
public sealed class ScenarioFormatException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    public ScenarioFormatException(ImmutableArray<ScenarioFormatError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    /// <summary>The problems, in file order.</summary>
    public ImmutableArray<ScenarioFormatError> Errors { get; }
}

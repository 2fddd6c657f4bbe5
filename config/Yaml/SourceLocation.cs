namespace Gating.Config.Yaml;

/// <summary>Where a YAML node starts: file path, 1-based line and column (0 when unknown).</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    /// <summary>A location for a whole file.</summary>
    public static SourceLocation OfFile(string file) => new(file, 0, 0);

    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}:{Column}";
}

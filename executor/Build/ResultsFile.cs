using System.Collections.Immutable;
using System.Text.Json;
using Gating.Model;

namespace Gating.Executor.Build;

/// <summary>What <c>zuul_return</c> wrote to <c>work/results.json</c> (zuul.md 4.5).</summary>
public sealed record ResultsFile(
    JsonElement? Data,
    JsonElement? SecretData,
    string? LogUrl,
    ImmutableArray<BuildArtifact> Artifacts,
    ImmutableArray<string>? ChildJobs,
    bool Pause,
    bool RetryAllowed,
    ImmutableArray<string> Warnings)
{
    /// <summary>No results.</summary>
    public static ResultsFile Empty { get; } = new(null, null, null, [], null, false, true, []);

    /// <summary>Reads the file; <see cref="Empty"/> when it does not exist.</summary>
    public static ResultsFile Read(string path)
    {
        if (!File.Exists(path))
        {
            return Empty;
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        JsonElement? data = root.TryGetProperty("data", out var d) ? d.Clone() : null;
        JsonElement? secret = root.TryGetProperty("secret_data", out var s) ? s.Clone() : null;
        if (data is not { } dataValue || !dataValue.TryGetProperty("zuul", out var zuul) || zuul.ValueKind != JsonValueKind.Object)
        {
            return Empty with { Data = data, SecretData = secret };
        }
        string? logUrl = zuul.TryGetProperty("log_url", out var l) ? l.GetString() : null;
        var artifacts = ImmutableArray.CreateBuilder<BuildArtifact>();
        if (zuul.TryGetProperty("artifacts", out var a) && a.ValueKind == JsonValueKind.Array)
        {
            foreach (var artifact in a.EnumerateArray())
            {
                var url = artifact.GetProperty("url").GetString() ?? "";
                // Relative artifact URLs are relative to the log URL, as in Zuul.
                if (logUrl is not null && !Uri.TryCreate(url, UriKind.Absolute, out _) && Uri.TryCreate(logUrl.TrimEnd('/') + "/", UriKind.Absolute, out var baseUrl))
                {
                    url = new Uri(baseUrl, url).ToString();
                }
                artifacts.Add(new BuildArtifact(artifact.GetProperty("name").GetString() ?? "", url,
                    Metadata: artifact.TryGetProperty("metadata", out var m) ? m.Clone() : null));
            }
        }
        ImmutableArray<string>? children = zuul.TryGetProperty("child_jobs", out var c) && c.ValueKind == JsonValueKind.Array
            ? [.. c.EnumerateArray().Select(e => e.GetString() ?? "")]
            : null;
        var pause = zuul.TryGetProperty("pause", out var p) && p.ValueKind == JsonValueKind.True;
        var retry = !(zuul.TryGetProperty("retry", out var r) && r.ValueKind == JsonValueKind.False);
        ImmutableArray<string> warnings = zuul.TryGetProperty("warnings", out var w) && w.ValueKind == JsonValueKind.Array
            ? [.. w.EnumerateArray().Select(e => e.ToString())]
            : [];
        return new ResultsFile(data, secret, logUrl, artifacts.ToImmutable(), children, pause, retry, warnings);
    }
}

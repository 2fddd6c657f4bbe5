using System.Collections.Immutable;
using System.Text;
using Gating.Executor.Git;

namespace Gating.Executor.Merger;

/// <summary>Reads files of a commit straight from the object store (no checkout): Zuul's config files plus extras.</summary>
public sealed class ConfigFileReader
{
    /// <summary>The files and directories Zuul reads its configuration from, in priority order.</summary>
    public static readonly ImmutableArray<string> ConfigFiles = ["zuul.yaml", ".zuul.yaml"];

    /// <summary>The configuration directories.</summary>
    public static readonly ImmutableArray<string> ConfigDirs = ["zuul.d", ".zuul.d"];

    private readonly GitRunner _git;

    /// <summary>Creates a reader.</summary>
    public ConfigFileReader(GitRunner git) => _git = git;

    /// <summary>
    /// The config files of <paramref name="commit"/> in the repository at <paramref name="repoPath"/>: zuul.yaml,
    /// .zuul.yaml, every file under zuul.d/ and .zuul.d/, plus <paramref name="extraFiles"/> and everything under
    /// <paramref name="extraDirs"/>. Missing files are simply absent.
    /// </summary>
    public async Task<ImmutableSortedDictionary<string, string>> ReadAsync(
        string repoPath, string commit, IEnumerable<string>? extraFiles, IEnumerable<string>? extraDirs, CancellationToken cancellationToken)
    {
        var files = ConfigFiles.Concat(extraFiles ?? []).ToHashSet(StringComparer.Ordinal);
        var dirs = ConfigDirs.Concat(extraDirs ?? []).Select(d => d.TrimEnd('/') + "/").ToList();
        var listing = await _git.RunAsync(repoPath, ["ls-tree", "-r", "--name-only", "-z", commit], cancellationToken).ConfigureAwait(false);
        var wanted = listing.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => files.Contains(p) || dirs.Exists(d => p.StartsWith(d, StringComparison.Ordinal)))
            .ToList();
        var result = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return result.ToImmutable();
        }
        var input = string.Concat(wanted.Select(p => $"{commit}:{p}\n"));
        var bytes = await _git.RunForBytesAsync(repoPath, ["cat-file", "--batch"], input, cancellationToken).ConfigureAwait(false);
        var offset = 0;
        foreach (var file in wanted)
        {
            // Each entry is "<sha> <type> <size>\n<content>\n".
            var headerEnd = Array.IndexOf(bytes, (byte)'\n', offset);
            var header = Encoding.UTF8.GetString(bytes, offset, headerEnd - offset).Split(' ');
            var size = int.Parse(header[2], System.Globalization.CultureInfo.InvariantCulture);
            result[file] = Encoding.UTF8.GetString(bytes, headerEnd + 1, size);
            offset = headerEnd + 1 + size + 1;
        }
        return result.ToImmutable();
    }
}

using Gating.Config.Errors;
using Gating.Config.Parsing;
using Gating.Config.Yaml;

namespace Gating.Config.Loading;

/// <summary>One config file read from a branch.</summary>
public sealed record ConfigFileText(string Path, string Text);

/// <summary>
/// Finds a branch's config files as Zuul does: the first of <c>zuul.yaml</c>, <c>zuul.d/</c>, <c>.zuul.yaml</c>,
/// <c>.zuul.d/</c> that exists (others are ignored with a warning), then every <c>extra-config-paths</c> entry;
/// directories are read recursively in sorted path order, skipping directories that hold <c>.zuul.ignore</c>.
/// </summary>
public static class ConfigFileDiscovery
{
    /// <summary>The standard config roots, in the order Zuul tries them.</summary>
    public static readonly string[] Roots = ["zuul.yaml", "zuul.d", ".zuul.yaml", ".zuul.d"];

    /// <summary>Lists and reads the config files of a branch; read failures become errors.</summary>
    public static List<ConfigFileText> Read(IRepositoryBranch branch, IReadOnlyList<string> extraConfigPaths, ErrorSink errors)
    {
        var result = new List<ConfigFileText>();
        string? loaded = null;
        foreach (var root in Roots)
        {
            bool isFile = branch.FileExists(root);
            bool isDir = !isFile && branch.DirectoryExists(root);
            if (!isFile && !isDir) continue;
            if (loaded is not null)
            {
                errors.Warning(ConfigErrorCodes.MultipleConfigRoots, SourceLocation.OfFile(root),
                    $"'{root}' is ignored: configuration is already read from '{loaded}' (Zuul reads only the first of zuul.yaml, zuul.d/, .zuul.yaml, .zuul.d/)");
                continue;
            }
            loaded = root;
            AddPath(branch, root, isDir, result, errors);
        }
        foreach (var extra in extraConfigPaths)
        {
            string path = extra.TrimEnd('/');
            if (branch.FileExists(path)) AddPath(branch, path, false, result, errors);
            else if (branch.DirectoryExists(path)) AddPath(branch, path, true, result, errors);
        }
        return result;
    }

    /// <summary>Reads one file or one directory tree (all <c>.yaml</c> files, sorted by path).</summary>
    public static void AddPath(IRepositoryBranch branch, string path, bool isDirectory, List<ConfigFileText> into, ErrorSink errors)
    {
        try
        {
            if (!isDirectory)
            {
                into.Add(new ConfigFileText(path, branch.ReadText(path)));
                return;
            }
            var files = new List<string>();
            Collect(branch, path, files);
            files.Sort(StringComparer.Ordinal);
            foreach (var file in files)
            {
                into.Add(new ConfigFileText(file, branch.ReadText(file)));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.DecoderFallbackException)
        {
            errors.Error(ConfigErrorCodes.ReadFailed, SourceLocation.OfFile(path), $"could not read '{path}': {e.Message}");
        }
    }

    private static void Collect(IRepositoryBranch branch, string dir, List<string> into)
    {
        var (files, dirs) = branch.List(dir);
        foreach (var f in files)
        {
            if (f.EndsWith(".yaml", StringComparison.Ordinal)) into.Add(dir.Length == 0 ? f : $"{dir}/{f}");
        }
        foreach (var d in dirs)
        {
            string sub = dir.Length == 0 ? d : $"{dir}/{d}";
            if (!branch.FileExists($"{sub}/.zuul.ignore")) Collect(branch, sub, into);
        }
    }
}

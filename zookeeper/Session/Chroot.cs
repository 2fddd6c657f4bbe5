namespace Gating.ZooKeeper.Session;

/// <summary>
/// Maps the caller's paths to server paths under a chroot and back. Every path the client sends goes through
/// <see cref="ToServer"/>; every path the server returns (created names, sync, watch events) through
/// <see cref="ToClient"/>, so callers never see the prefix.
/// </summary>
internal readonly record struct Chroot(string Prefix)
{
    public static readonly Chroot None = new("");

    public string ToServer(string path)
    {
        PathValidation.Validate(path);
        return Prefix.Length == 0 ? path : path == "/" ? Prefix : Prefix + path;
    }

    public string ToClient(string serverPath)
    {
        if (Prefix.Length == 0)
        {
            return serverPath;
        }
        if (serverPath == Prefix)
        {
            return "/";
        }
        return serverPath.StartsWith(Prefix + "/", StringComparison.Ordinal) ? serverPath[Prefix.Length..] : serverPath;
    }
}

/// <summary>The path rules of ZooKeeper's PathUtils, checked before a request leaves the client.</summary>
internal static class PathValidation
{
    public static void Validate(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var error = path.Length == 0 ? "path must not be empty"
            : path[0] != '/' ? "path must start with /"
            : path.Length > 1 && path[^1] == '/' ? "path must not end with /"
            : path.Contains("//", StringComparison.Ordinal) ? "empty node name"
            : path.Contains("/./", StringComparison.Ordinal) || path.EndsWith("/.", StringComparison.Ordinal)
              || path.Contains("/../", StringComparison.Ordinal) || path.EndsWith("/..", StringComparison.Ordinal) ? "relative paths are not allowed"
            : path.Contains('\0', StringComparison.Ordinal) ? "null character not allowed"
            : null;
        if (error is not null)
        {
            throw new ZooKeeperException(ErrorCode.BadArguments, path, $"invalid path '{path}': {error}");
        }
    }
}

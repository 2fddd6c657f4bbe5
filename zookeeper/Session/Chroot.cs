namespace Gating.ZooKeeper.Session;

/// <summary>
/// Maps the caller's paths to server paths under a chroot and back. Every path the client sends goes through
/// <see cref="ToServer"/>; every path the server returns (created names, sync, watch events) through
/// <see cref="ToClient"/>, so callers never see the prefix.
/// </summary>
internal readonly record struct Chroot(string Prefix)
{
    public static readonly Chroot None = new("");

    /// <param name="sequential">A sequential create's path may end with '/': the server appends the number.</param>
    public string ToServer(string path, bool sequential = false)
    {
        PathValidation.Validate(path, sequential);
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
    public static void Validate(string path, bool sequential = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        var checkedPath = sequential ? path + "1" : path;
        var error = checkedPath.Length == 0 ? "checkedPath must not be empty"
            : checkedPath[0] != '/' ? "checkedPath must start with /"
            : checkedPath.Length > 1 && checkedPath[^1] == '/' ? "checkedPath must not end with /"
            : checkedPath.Contains("//", StringComparison.Ordinal) ? "empty node name"
            : checkedPath.Contains("/./", StringComparison.Ordinal) || checkedPath.EndsWith("/.", StringComparison.Ordinal)
              || checkedPath.Contains("/../", StringComparison.Ordinal) || checkedPath.EndsWith("/..", StringComparison.Ordinal) ? "relative checkedPaths are not allowed"
            : checkedPath.Contains('\0', StringComparison.Ordinal) ? "null character not allowed"
            : null;
        if (error is not null)
        {
            throw new ZooKeeperException(ErrorCode.BadArguments, path, $"invalid path '{path}': {error}");
        }
    }
}

namespace Gating.ZooKeeper.Embedded;

/// <summary>ZooKeeper's path rules (PathUtils.validatePath) and the parent/child arithmetic on absolute paths.</summary>
internal static class PathRules
{
    /// <summary>Returns null when the path is valid, else why not. Sequential creates may end with '/'.</summary>
    public static string? Problem(string? path, bool sequential = false)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "path must not be empty";
        }
        if (path[0] != '/')
        {
            return "path must start with /";
        }
        if (path.Length == 1)
        {
            return sequential ? "sequential path must not be /" : null;
        }
        if (path[^1] == '/' && !sequential)
        {
            return "path must not end with /";
        }
        var segmentStart = 1;
        for (var i = 1; i <= path.Length; i++)
        {
            if (i == path.Length || path[i] == '/')
            {
                var segment = path.AsSpan(segmentStart, i - segmentStart);
                if (segment.Length == 0 && !(sequential && i == path.Length))
                {
                    return $"empty node name at index {i}";
                }
                if (segment is "." or "..")
                {
                    return $"relative paths not allowed at index {i}";
                }
                segmentStart = i + 1;
                continue;
            }
            var c = path[i];
            if (c == '\0' || c is > '\u0000' and <= '\u001f' || c is >= '\u007f' and <= '\u009f'
                || c is >= '\ud800' and <= '\uf8ff' || c is >= '\ufff0' and <= '\uffff')
            {
                return $"invalid character at index {i}";
            }
        }
        return null;
    }

    /// <summary>Throws BadArguments for an invalid path, as the server does.</summary>
    public static void Validate(string? path, bool sequential = false)
    {
        if (Problem(path, sequential) is { } problem)
        {
            throw new ZooKeeperException(ErrorCode.BadArguments, path, $"KeeperErrorCode = BadArguments for {path}: {problem}");
        }
    }

    public static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    public static string Name(string path) => path[(path.LastIndexOf('/') + 1)..];

    public static string Child(string parent, string name) => parent == "/" ? "/" + name : parent + "/" + name;

    /// <summary>The path itself, then each ancestor up to "/".</summary>
    public static IEnumerable<string> SelfAndAncestors(string path)
    {
        var current = path;
        while (true)
        {
            yield return current;
            if (current == "/")
            {
                yield break;
            }
            current = Parent(current);
        }
    }

    /// <summary>Prefixes a client path with the chroot ("" for none).</summary>
    public static string ToServer(string chroot, string clientPath) =>
        chroot.Length == 0 ? clientPath : clientPath == "/" ? chroot : chroot + clientPath;

    /// <summary>Strips the chroot from a server path, as the client does for results and events.</summary>
    public static string ToClient(string chroot, string serverPath)
    {
        if (chroot.Length == 0)
        {
            return serverPath;
        }
        if (serverPath == chroot)
        {
            return "/";
        }
        return serverPath.StartsWith(chroot + "/", StringComparison.Ordinal) ? serverPath[chroot.Length..] : serverPath;
    }
}

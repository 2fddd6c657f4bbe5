using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.IO.Hashing;

namespace Gating.ZooKeeper.Embedded;

/// <summary>
/// A snapshot: the whole state at one zxid, written to a temporary file, flushed, then renamed into place, so a
/// snapshot file either is whole or is not there. A trailing crc32 guards against a half-written copy.
/// </summary>
internal static class SnapshotFile
{
    private const int Magic = 0x534B5A47; // "GZKS"
    private const int FormatVersion = 1;

    public static string Name(long zxid) => $"snapshot.{zxid:x16}";

    public static void Write(string directory, DataState state)
    {
        var output = new ArrayBufferWriter<byte>(1 << 16);
        var writer = new BinaryScratch(output);
        writer.Int(Magic);
        writer.Int(FormatVersion);
        writer.Long(state.LastZxid);
        writer.Int(state.Sessions.Count);
        foreach (var session in state.Sessions.Values)
        {
            writer.Long(session.Id);
            writer.Int(session.TimeoutMs);
            writer.Bytes(session.Password);
        }
        writer.Int(state.Nodes.Count);
        foreach (var (path, node) in state.Nodes)
        {
            writer.String(path);
            writer.Bytes(node.Data);
            writer.Acl(node.Acl);
            writer.Long(node.Czxid);
            writer.Long(node.Mzxid);
            writer.Long(node.Ctime);
            writer.Long(node.Mtime);
            writer.Int(node.Version);
            writer.Int(node.CreateCount);
            writer.Int(node.Aversion);
            writer.Long(node.EphemeralOwner);
            writer.Long(node.Pzxid);
        }
        var crc = Crc32.HashToUInt32(output.WrittenSpan);
        BinaryPrimitives.WriteUInt32LittleEndian(output.GetSpan(4), crc);
        output.Advance(4);

        var final = Path.Combine(directory, Name(state.LastZxid));
        var temporary = final + ".tmp";
        using (var handle = File.OpenHandle(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(handle, output.WrittenSpan, 0);
            RandomAccess.FlushToDisk(handle);
        }
        File.Move(temporary, final, overwrite: true);
        DirectorySync.Flush(directory);
    }

    /// <summary>Loads a snapshot; null when it is damaged (the caller falls back to an older one).</summary>
    public static DataState? TryRead(string file)
    {
        var bytes = File.ReadAllBytes(file);
        if (bytes.Length < 4)
        {
            return null;
        }
        var body = bytes.AsSpan(0, bytes.Length - 4);
        if (Crc32.HashToUInt32(body) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)))
        {
            return null;
        }
        var reader = new BinaryCursor(body);
        if (reader.Int() != Magic || reader.Int() != FormatVersion)
        {
            throw new InvalidDataException($"{file} is not a snapshot of this format");
        }
        var zxid = reader.Long();
        var sessions = ImmutableDictionary.CreateBuilder<long, SessionRecord>();
        for (var count = reader.Int(); count > 0; count--)
        {
            var id = reader.Long();
            sessions[id] = new SessionRecord(id, reader.Int(), reader.Bytes());
        }
        var raw = new List<(string Path, ZNode Node)>();
        for (var count = reader.Int(); count > 0; count--)
        {
            var path = reader.String();
            raw.Add((path, new ZNode(
                reader.Bytes(), reader.Acl(), reader.Long(), reader.Long(), reader.Long(), reader.Long(), reader.Int(),
                reader.Int(), reader.Int(), reader.Long(), reader.Long(), ImmutableSortedSet.Create<string>(StringComparer.Ordinal))));
        }
        // Children are not stored: they follow from the paths.
        var children = raw.Where(r => r.Path != "/")
            .GroupBy(r => PathRules.Parent(r.Path), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => PathRules.Name(r.Path)).ToImmutableSortedSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var nodes = ImmutableDictionary.CreateBuilder<string, ZNode>(StringComparer.Ordinal);
        foreach (var (path, node) in raw)
        {
            nodes[path] = children.TryGetValue(path, out var names) ? node with { Children = names } : node;
        }
        return new DataState(nodes.ToImmutable(), sessions.ToImmutable(), zxid);
    }
}

/// <summary>Makes a directory's entries (new, renamed files) durable: fsync on the directory itself.</summary>
internal static class DirectorySync
{
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // Windows has no directory fsync; NTFS journals metadata itself
        }
        var fd = Open(directory, 0); // O_RDONLY
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {directory} to flush it (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    // DllImport rather than LibraryImport: the generated marshalling needs unsafe code, and these are trivial.
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path, int flags);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}

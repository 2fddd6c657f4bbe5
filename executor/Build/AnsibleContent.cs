using System.Security.Cryptography;

namespace Gating.Executor.Build;

/// <summary>
/// The Ansible plugins shipped inside this assembly (from <c>executor/ansible/</c>), written once per content
/// version into a directory that every build mounts read-only.
/// </summary>
public static class AnsibleContent
{
    private const string Prefix = "gating-ansible/";
    private static readonly Lock Gate = new();

    /// <summary>Writes the plugins under <paramref name="stateRoot"/> (if not there yet) and returns their directory.</summary>
    public static string Extract(string stateRoot)
    {
        var assembly = typeof(AnsibleContent).Assembly;
        var names = assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var contents = names.ToDictionary(n => n, n =>
        {
            using var stream = assembly.GetManifestResourceStream(n)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            return memory.ToArray();
        });
        var version = Convert.ToHexStringLower(SHA256.HashData(contents.Values.SelectMany(b => b).ToArray()))[..12];
        var dir = Path.Combine(Path.GetFullPath(stateRoot), "ansible-" + version);
        lock (Gate)
        {
            if (Directory.Exists(dir))
            {
                return dir;
            }
            var staging = dir + ".tmp-" + Environment.ProcessId;
            foreach (var (name, bytes) in contents)
            {
                var path = Path.Combine(staging, name[Prefix.Length..]);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, bytes);
            }
            try
            {
                Directory.Move(staging, dir);
            }
            catch (IOException) when (Directory.Exists(dir))
            {
                // Another executor process on this machine wrote the same version first.
                Directory.Delete(staging, recursive: true);
            }
            return dir;
        }
    }
}

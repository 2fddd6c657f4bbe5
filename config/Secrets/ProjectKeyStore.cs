using System.Security.Cryptography;

namespace Gating.Config.Secrets;

/// <summary>
/// One RSA keypair per project, kept as PEM files at <c>&lt;root&gt;/&lt;connection&gt;/&lt;project&gt;.pem</c> (the
/// project name keeps its slashes, so <c>openstack/nova</c> on <c>gerrit</c> is <c>gerrit/openstack/nova.pem</c>).
/// Like Zuul's keystore, a key is created the first time a project needs one and never changes afterwards.
/// The private key is written as PKCS#1 (<c>BEGIN RSA PRIVATE KEY</c>), readable only by the owner.
/// </summary>
public sealed class ProjectKeyStore
{
    /// <summary>Zuul's project keys are 4096-bit RSA with e = 65537.</summary>
    public const int DefaultKeySizeBits = 4096;

    private readonly string _root;
    private readonly int _keySizeBits;

    /// <summary>A key store under <paramref name="root"/>; new keys get <paramref name="keySizeBits"/> bits.</summary>
    public ProjectKeyStore(string root, int keySizeBits = DefaultKeySizeBits)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.GetFullPath(root);
        _keySizeBits = keySizeBits;
    }

    /// <summary>The file that holds the project's private key.</summary>
    public string KeyPath(string connection, string project)
    {
        CheckName(connection, nameof(connection));
        CheckName(project, nameof(project));
        return Path.Combine(_root, connection, project + ".pem");
    }

    /// <summary>Loads the project's private key, or null when the project has none yet.</summary>
    /// <exception cref="InvalidDataException">The file exists but holds no RSA private key.</exception>
    public async Task<RSA?> LoadAsync(string connection, string project, CancellationToken cancellationToken)
    {
        var path = KeyPath(connection, project);
        if (!File.Exists(path))
        {
            return null;
        }
        var pem = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        return ImportPrivateKey(pem, path);
    }

    /// <summary>Loads the project's private key, creating and saving a new one when it has none.</summary>
    public async Task<RSA> GetOrCreateAsync(string connection, string project, CancellationToken cancellationToken)
    {
        var existing = await LoadAsync(connection, project, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing;
        }
        var key = RSA.Create(_keySizeBits);
        await SaveAsync(connection, project, key, cancellationToken).ConfigureAwait(false);
        return key;
    }

    /// <summary>Writes the private key atomically (temp file, then rename) so a crash never leaves half a key.</summary>
    public async Task SaveAsync(string connection, string project, RSA key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var path = KeyPath(connection, project);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        await using (var stream = new FileStream(temp, options))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(key.ExportRSAPrivateKeyPem().AsMemory(), cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync("\n".AsMemory(), cancellationToken).ConfigureAwait(false);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The public half as the SubjectPublicKeyInfo PEM that Zuul serves at <c>/key/&lt;project&gt;.pub</c>.</summary>
    public static string PublicKeyPem(RSA key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.ExportSubjectPublicKeyInfoPem() + "\n";
    }

    /// <summary>Reads an RSA private key from PEM (PKCS#1 or PKCS#8).</summary>
    /// <exception cref="InvalidDataException">The text holds no RSA private key.</exception>
    public static RSA ImportPrivateKey(string pem, string source)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (!pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{source}: no RSA private key in this file (expected a PEM 'RSA PRIVATE KEY' or 'PRIVATE KEY' block)");
        }
        return ImportPem(pem, source, "private");
    }

    /// <summary>Reads an RSA public key from PEM (SubjectPublicKeyInfo or PKCS#1), or the public half of a private key.</summary>
    /// <exception cref="InvalidDataException">The text holds no RSA key.</exception>
    public static RSA ImportPublicKey(string pem, string source) => ImportPem(pem, source, "public");

    private static RSA ImportPem(string pem, string source, string kind)
    {
        var key = RSA.Create();
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidDataException($"{source}: not a PEM RSA {kind} key: {e.Message}", e);
        }
    }

    private static void CheckName(string name, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, what);
        // Names become path components; refuse anything that could climb out of the store.
        var parts = name.Split('/');
        if (Path.IsPathRooted(name) || parts.Any(p => p is "" or "." or ".." || p.Contains('\\')))
        {
            throw new ArgumentException($"'{name}' is not a valid {what} name for the key store", what);
        }
    }
}

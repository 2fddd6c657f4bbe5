using System.Security.Cryptography;
using Gating.Config.Loading;
using Gating.Config.Secrets;
using Gating.Model;

namespace Gating.Scheduler.Runtime;

public static partial class BuildParametersFactory
{
    // Decrypts secret data that holds no encrypted value when a project has no key (Decrypt needs some key).
    private static readonly Lazy<RSA> NoKey = new(() => RSA.Create(1024));

    /// <summary>
    /// The plaintext data of every secret the job's playbooks use, by secret name, decrypted with the private key
    /// of the project that defines it (as Zuul's scheduler decrypts them for the executor, reference/zuul.md 4.3).
    /// A secret that cannot be decrypted (no key, wrong key) is left out: its playbooks get it as null, never
    /// ciphertext.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, VarValue>> DecryptSecretsAsync(
        TenantLayout layout, FrozenJob job, ProjectKeyStore? keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(job);
        var result = new Dictionary<string, VarValue>(StringComparer.Ordinal);
        var names = job.PreRun.Concat(job.Run).Concat(job.PostRun).Concat(job.CleanupRun)
            .SelectMany(p => p.Secrets.IsDefault ? [] : p.Secrets)
            .Select(s => s.SecretName)
            .Distinct(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (layout.GetSecret(name) is not { } secret)
            {
                continue;
            }
            var connection = layout.Tenant.ProjectsInLoadOrder.FirstOrDefault(p => p.Name == secret.Source.Project)?.Connection;
            using var key = keys is null || connection is null ? null : await keys.LoadAsync(connection, secret.Source.Project, cancellationToken);
            var (data, _) = SecretDecryptor.Decrypt(secret, key ?? NoKey.Value);
            if (data is not null)
            {
                result[name] = data;
            }
        }
        return result;
    }
}

using System.Collections.Immutable;
using System.Security.Cryptography;
using Gating.Config.Errors;
using Gating.Config.Freezing;
using Gating.Config.Model;
using Gating.Config.Yaml;
using Gating.Model;

namespace Gating.Config.Secrets;

/// <summary>
/// Decrypts a <c>secret</c>'s <c>data</c> with its project's private key: every <c>!encrypted/pkcs1-oaep</c> value
/// (scalar or list of chunks) becomes its plaintext string, everything else is kept as written. Errors are values
/// located at the encrypted node; the secret's data is then not returned.
/// </summary>
public static class SecretDecryptor
{
    /// <summary>The decrypted data (null when any value failed) and the problems found.</summary>
    public static (VarValue? Data, ImmutableArray<ConfigError> Errors) Decrypt(SecretConfig secret, RSA privateKey)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(privateKey);
        var errors = ImmutableArray.CreateBuilder<ConfigError>();
        var data = secret.Data is null ? VarMap.Empty : Walk(secret.Data, secret, privateKey, errors);
        return (errors.Count == 0 ? data : null, errors.ToImmutable());
    }

    private static VarValue Walk(YamlNode node, SecretConfig secret, RSA key, ImmutableArray<ConfigError>.Builder errors)
    {
        switch (node)
        {
            case YamlEncrypted encrypted:
                var result = OaepCipher.Decrypt(key, encrypted.Chunks);
                if (!result.Ok)
                {
                    errors.Add(ConfigError.At(ConfigErrorCodes.InvalidValue, encrypted.Location, $"secret '{secret.Name}': {result.Error}")
                        with { Project = secret.Source.Project, Branch = secret.Source.Branch });
                    return VarScalar.Null;
                }
                return new VarScalar(result.Plaintext!);
            case YamlMapping mapping:
                return new VarMap([.. mapping.Entries.Select(e => KeyValuePair.Create(
                    e.Key is YamlScalar k ? k.ToPythonString() : e.Key.Describe(), Walk(e.Value, secret, key, errors)))]);
            case YamlSequence sequence:
                return new VarList([.. sequence.Items.Select(i => Walk(i, secret, key, errors))]);
            default:
                return VarConversion.ToVar(node);
        }
    }
}

using System.CommandLine;
using Gating.Config.Secrets;

namespace Gating.Cli.Commands;

/// <summary>
/// `gating encrypt`: encrypts a secret for a project with its public key, printing the
/// <c>!encrypted/pkcs1-oaep</c> secret stanza exactly as zuul-client's <c>encrypt</c> does.
/// </summary>
internal static class EncryptCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var publicKey = new Option<FileInfo>("--public-key")
        {
            Description = "The project's public key (PEM), as served at /api/tenant/<tenant>/key/<project>.pub.",
            Required = true,
        };
        var infile = new Option<FileInfo?>("--infile") { Description = "Read the secret from this file instead of standard input." };
        var outfile = new Option<FileInfo?>("--outfile") { Description = "Write the stanza to this file instead of standard output." };
        var secretName = new Option<string?>("--secret-name") { Description = "The secret's name (a placeholder when omitted)." };
        var fieldName = new Option<string?>("--field-name") { Description = "The data field's name (a placeholder when omitted)." };
        var command = new Command("encrypt", "Encrypt a secret with a project's public key into Zuul's !encrypted/pkcs1-oaep form.")
        {
            publicKey, infile, outfile, secretName, fieldName,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var keyFile = parse.GetValue(publicKey)!;
            string pem;
            try
            {
                pem = await File.ReadAllTextAsync(keyFile.FullName, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync($"gating encrypt: cannot read the public key {keyFile.FullName}: {e.Message}");
                return 1;
            }
            System.Security.Cryptography.RSA key;
            try
            {
                key = ProjectKeyStore.ImportPublicKey(pem, keyFile.FullName);
            }
            catch (InvalidDataException e)
            {
                await stderr.WriteLineAsync($"gating encrypt: {e.Message}");
                return 1;
            }
            using (key)
            {
                string plaintext;
                var input = parse.GetValue(infile);
                try
                {
                    plaintext = input is null
                        ? await Console.In.ReadToEndAsync(cancellationToken)
                        : await File.ReadAllTextAsync(input.FullName, cancellationToken);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    await stderr.WriteLineAsync($"gating encrypt: cannot read the secret: {e.Message}");
                    return 1;
                }
                var chunks = OaepCipher.Encrypt(key, plaintext);
                var stanza = EncryptedSecretYaml.Format(parse.GetValue(secretName), parse.GetValue(fieldName), chunks);
                var output = parse.GetValue(outfile);
                if (output is null)
                {
                    // zuul-client print()s the stanza, which adds one more newline.
                    await stdout.WriteAsync(stanza + "\n");
                }
                else
                {
                    await File.WriteAllTextAsync(output.FullName, stanza, cancellationToken);
                }
                return 0;
            }
        });
        return command;
    }
}

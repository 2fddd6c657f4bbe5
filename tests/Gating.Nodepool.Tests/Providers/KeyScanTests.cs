using Gating.Nodepool.Providers;

namespace Gating.Nodepool.Tests.Providers;

public sealed class KeyScanTests
{
    [Fact]
    public void Parses_keyscan_output_into_sorted_type_and_key()
    {
        const string output = """
            # 127.0.0.1:22022 SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u7
            [127.0.0.1]:22022 ssh-rsa AAAAB3rsa
            [127.0.0.1]:22022 ssh-ed25519 AAAAC3ed

            [127.0.0.1]:22022 ssh-ed25519 AAAAC3ed
            broken-line
            """;
        Assert.Equal(["ssh-ed25519 AAAAC3ed", "ssh-rsa AAAAB3rsa"], KeyScan.Parse(output).ToArray());
    }
}

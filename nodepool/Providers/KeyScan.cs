using System.Collections.Immutable;
using System.Globalization;

namespace Gating.Nodepool.Providers;

/// <summary>
/// ssh-keyscan, as Nodepool uses it for liveness and host keys: a host that returns no key within the timeout is
/// not handed out.
/// </summary>
public static class KeyScan
{
    /// <summary>The host keys ("type base64") of host:port; empty when the host did not answer in time.</summary>
    public static async Task<ImmutableArray<string>> ScanAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var result = await HostCommand.TryRunAsync("ssh-keyscan",
            ["-T", seconds, "-p", port.ToString(CultureInfo.InvariantCulture), host], cancellationToken);
        return Parse(result.StandardOutput);
    }

    /// <summary>Parses ssh-keyscan output ("host type base64" lines, '#' comments) into "type base64" keys.</summary>
    public static ImmutableArray<string> Parse(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith('#'))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 3)
            .Select(f => $"{f[1]} {f[2]}")
            .Distinct()
            .Order(StringComparer.Ordinal)];
}

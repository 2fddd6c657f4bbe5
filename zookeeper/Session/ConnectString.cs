using System.Globalization;
using System.Net;

namespace Gating.ZooKeeper.Session;

/// <summary>A parsed connect string: the hosts and the chroot.</summary>
internal sealed record ConnectString(IReadOnlyList<DnsEndPoint> Hosts, Chroot Chroot)
{
    public static ConnectString Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var chroot = Chroot.None;
        if (slash >= 0)
        {
            var prefix = value[slash..];
            if (prefix != "/")
            {
                PathValidation.Validate(prefix);
                chroot = new Chroot(prefix);
            }
            value = value[..slash];
        }
        var hosts = new List<DnsEndPoint>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = part.LastIndexOf(':');
            var port = 2181;
            if (colon > 0 && !int.TryParse(part.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port))
            {
                throw new ArgumentException($"invalid port in ZooKeeper host '{part}'", nameof(value));
            }
            hosts.Add(new DnsEndPoint(colon > 0 ? part[..colon] : part, port));
        }
        return hosts.Count == 0 ? throw new ArgumentException("no hosts in the ZooKeeper connect string", nameof(value)) : new ConnectString(hosts, chroot);
    }
}

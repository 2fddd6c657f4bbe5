using System.Collections.Immutable;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Gating.Nodepool.Config;

/// <summary>
/// Parses a providers file in the shape of nodepool.yaml. Every error is collected with its line and column; the
/// config is null when there was any error, so a launcher never runs on half a file.
/// </summary>
public static class ProvidersConfigParser
{
    /// <summary>The drivers this launcher knows.</summary>
    public static readonly ImmutableArray<string> Drivers = ["static", "local"];

    /// <summary>Parses YAML text; <paramref name="file"/> names it in errors.</summary>
    public static ProvidersConfigResult Parse(string yaml, string file)
    {
        var errors = new ErrorSink(file);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            errors.Add((int)e.Start.Line, (int)e.Start.Column, $"not valid YAML: {e.InnerException?.Message ?? e.Message}");
            return new ProvidersConfigResult(null, [.. errors.Errors]);
        }

        if (stream.Documents.Count == 0)
        {
            errors.Add(1, 1, "the providers file is empty");
            return new ProvidersConfigResult(null, [.. errors.Errors]);
        }

        var root = new YamlMappingReader(stream.Documents[0].RootNode, errors, "the providers file");
        var labels = root.List("labels").Select(n => ParseLabel(n, errors)).OfType<(LabelConfig, YamlNode)>().ToList();
        var providers = root.List("providers").Select(n => ParseProvider(n, errors)).OfType<(ProviderConfig, YamlNode)>().ToList();
        var limits = root.List("tenant-resource-limits").Select(n => ParseTenantLimit(n, errors)).OfType<(TenantResourceLimit, YamlNode)>().ToList();
        var maxHoldAge = root.Seconds("max-hold-age");
        root.Finish();

        CheckUnique(labels.Select(l => (l.Item1.Name, l.Item2)), "label", errors);
        CheckUnique(providers.Select(p => (p.Item1.Name, p.Item2)), "provider", errors);
        CheckUnique(limits.Select(l => (l.Item1.TenantName, l.Item2)), "tenant-resource-limits tenant", errors);
        var declared = labels.Select(l => l.Item1.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (provider, node) in providers)
        {
            foreach (var pool in provider.Pools)
            {
                foreach (var label in pool.Labels.Where(l => !declared.Contains(l.Name)))
                {
                    errors.Add(node, $"pool '{pool.Name}' of provider '{provider.Name}' serves label '{label.Name}', which is not declared under 'labels'");
                }
            }
        }

        var config = new ProvidersConfig([.. labels.Select(l => l.Item1)], [.. providers.Select(p => p.Item1)], [.. limits.Select(l => l.Item1)])
        {
            MaxHoldAge = maxHoldAge is { Ticks: > 0 } age ? age : null,
        };
        return new ProvidersConfigResult(errors.Errors.Count == 0 ? config : null, [.. errors.Errors]);
    }

    private static (LabelConfig, YamlNode)? ParseLabel(YamlNode node, ErrorSink errors)
    {
        var r = new YamlMappingReader(node, errors, "a label");
        var name = r.String("name", required: true);
        var minReady = r.Int("min-ready", min: 0) ?? 0;
        var maxReadyAge = r.Seconds("max-ready-age");
        r.Finish();
        return name is null ? null : (new LabelConfig(name) { MinReady = minReady, MaxReadyAge = maxReadyAge is { Ticks: > 0 } a ? a : null }, node);
    }

    private static (ProviderConfig, YamlNode)? ParseProvider(YamlNode node, ErrorSink errors)
    {
        var r = new YamlMappingReader(node, errors, "a provider");
        var name = r.String("name", required: true);
        var what = $"provider '{name}'";
        var driver = r.String("driver") ?? "openstack";
        if (!Drivers.Contains(driver))
        {
            errors.Add(r.Node("driver") ?? node, $"{what}: driver '{driver}' is not supported here (supported: {string.Join(", ", Drivers)})");
        }

        var provider = new ProviderConfig(name ?? "", driver)
        {
            Priority = r.Int("priority") ?? 100,
            MaxConcurrency = r.Int("max-concurrency", min: 0) ?? 0,
            LaunchRetries = r.Int("launch-retries", min: 1) ?? 3,
            BootTimeout = r.Seconds("boot-timeout") ?? TimeSpan.FromSeconds(60),
            Local = driver == "local" ? ParseLocal(r, errors, what) : null,
        };
        var pools = r.List("pools").Select(p => ParsePool(p, errors, what, driver)).OfType<(PoolConfig, YamlNode)>().ToList();
        r.Finish();
        CheckUnique(pools.Select(p => (p.Item1.Name, p.Item2)), $"pool of {what}", errors);
        return name is null ? null : (provider with { Pools = [.. pools.Select(p => p.Item1)] }, node);
    }

    private static LocalDriverConfig ParseLocal(YamlMappingReader r, ErrorSink errors, string what)
    {
        var defaults = new LocalDriverConfig();
        var local = new LocalDriverConfig
        {
            Rootfs = r.String("rootfs") ?? defaults.Rootfs,
            WorkDir = r.String("work-dir") ?? defaults.WorkDir,
            AuthorizedKey = r.String("authorized-key"),
            PortFirst = r.Int("port-first", min: 1) ?? defaults.PortFirst,
            PortLast = r.Int("port-last", min: 1) ?? defaults.PortLast,
            NamePrefix = r.String("name-prefix") ?? defaults.NamePrefix,
        };
        if (local.PortLast < local.PortFirst || local.PortLast > 65535)
        {
            errors.Add(r.Node("port-last") ?? r.Node("port-first")!, $"{what}: port-last must be between port-first and 65535");
        }

        if (local.NamePrefix.Length > 8 || !local.NamePrefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
        {
            errors.Add(r.Node("name-prefix")!, $"{what}: name-prefix must be 1-8 lower-case letters or digits");
        }

        return local;
    }

    private static (PoolConfig, YamlNode)? ParsePool(YamlNode node, ErrorSink errors, string providerWhat, string driver)
    {
        var r = new YamlMappingReader(node, errors, $"a pool of {providerWhat}");
        var name = r.String("name", required: true);
        var what = $"pool '{name}' of {providerWhat}";
        var pool = new PoolConfig(name ?? "")
        {
            Priority = r.Int("priority"),
            MaxServers = r.Int("max-servers"),
            MaxCores = r.Int("max-cores", min: 0),
            MaxRam = r.Long("max-ram", min: 0),
            NodeAttributes = r.StringMap("node-attributes"),
        };
        var labels = r.List("labels").Select(l => ParsePoolLabel(l, errors, what)).OfType<PoolLabelConfig>().ToList();
        var nodes = driver == "static"
            ? r.List("nodes").Select(n => ParseStaticNode(n, errors, what)).OfType<StaticNodeConfig>().ToImmutableArray()
            : [];
        r.Finish();

        // A static pool serves the labels of its hosts, as Nodepool's static driver does.
        foreach (var hostLabel in nodes.SelectMany(n => n.Labels).Distinct().Where(l => labels.All(pl => pl.Name != l)))
        {
            labels.Add(new PoolLabelConfig(hostLabel));
        }

        CheckUnique(labels.Select(l => (l.Name, node)), $"label of {what}", errors);
        return name is null ? null : (pool with { Labels = [.. labels], Nodes = nodes }, node);
    }

    private static PoolLabelConfig? ParsePoolLabel(YamlNode node, ErrorSink errors, string poolWhat)
    {
        var r = new YamlMappingReader(node, errors, $"a label of {poolWhat}");
        var name = r.String("name", required: true);
        var label = new PoolLabelConfig(name ?? "")
        {
            Cores = r.Int("cores", min: 0) ?? 0,
            Ram = r.Long("ram", min: 0) ?? 0,
            Username = r.String("username"),
            PythonPath = r.String("python-path"),
        };
        r.Finish();
        return name is null ? null : label;
    }

    private static StaticNodeConfig? ParseStaticNode(YamlNode node, ErrorSink errors, string poolWhat)
    {
        var r = new YamlMappingReader(node, errors, $"a node of {poolWhat}");
        var name = r.String("name", required: true);
        var labels = r.Strings("labels");
        if (name is not null && labels.IsEmpty)
        {
            errors.Add(node, $"static node '{name}' of {poolWhat} needs 'labels'");
        }

        var connectionType = r.String("connection-type") ?? "ssh";
        var defaults = new StaticNodeConfig("", []);
        var result = new StaticNodeConfig(name ?? "", labels)
        {
            Username = r.String("username") ?? defaults.Username,
            ConnectionType = connectionType,
            ConnectionPort = r.Int("connection-port", min: 1) ?? (connectionType == "winrm" ? 5986 : 22),
            HostKeys = r.Strings("host-key"),
            HostKeyChecking = r.Bool("host-key-checking") ?? true,
            Timeout = r.Seconds("timeout") ?? defaults.Timeout,
            PythonPath = r.String("python-path"),
            ShellType = r.String("shell-type"),
            MaxParallelJobs = r.Int("max-parallel-jobs", min: 1) ?? 1,
        };
        r.Finish();
        return name is null ? null : result;
    }

    private static (TenantResourceLimit, YamlNode)? ParseTenantLimit(YamlNode node, ErrorSink errors)
    {
        var r = new YamlMappingReader(node, errors, "a tenant-resource-limits entry");
        var name = r.String("tenant-name", required: true);
        var limit = new TenantResourceLimit(name ?? "")
        {
            MaxServers = r.Int("max-servers", min: 0),
            MaxCores = r.Int("max-cores", min: 0),
            MaxRam = r.Long("max-ram", min: 0),
        };
        r.Long("max-volumes", min: 0);
        r.Long("max-volume-gb", min: 0);
        r.Finish();
        return name is null ? null : (limit, node);
    }

    private static void CheckUnique(IEnumerable<(string Name, YamlNode Node)> items, string what, ErrorSink errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, node) in items)
        {
            if (!seen.Add(name))
            {
                errors.Add(node, $"{what} '{name}' is defined more than once");
            }
        }
    }
}

/// <summary>The parsed config (null when there were errors) and every error found.</summary>
public sealed record ProvidersConfigResult(ProvidersConfig? Config, ImmutableArray<ProvidersConfigError> Errors);

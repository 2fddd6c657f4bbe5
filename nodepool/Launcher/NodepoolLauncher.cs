using System.Collections.Immutable;
using Gating.Nodepool.Config;
using Gating.Nodepool.Providers;
using Gating.Nodepool.Providers.Local;
using Gating.Nodepool.Providers.Static;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gating.Nodepool.Launcher;

/// <summary>
/// One launcher process (Nodepool's launcher, reference/zuul.md 5.1): a provider per configured provider and a
/// <see cref="PoolWorker"/> per provider pool, all on one store session. Several launchers (processes or
/// machines) share the requests through the store's locks.
/// <code>
/// providers file ──▶ Create: INodeProvider per provider (static | local) ──▶ PoolWorker per pool
/// RunAsync: every worker's watch-driven loop until cancelled ──▶ DisposeAsync: handlers stop, providers close
/// </code>
/// </summary>
public sealed class NodepoolLauncher : IAsyncDisposable
{
    private readonly ImmutableArray<INodeProvider> _providers;

    private NodepoolLauncher(ImmutableArray<INodeProvider> providers, ImmutableArray<PoolWorker> workers)
    {
        _providers = providers;
        Workers = workers;
    }

    /// <summary>The pool workers, one per provider pool.</summary>
    public ImmutableArray<PoolWorker> Workers { get; }

    /// <summary>
    /// Builds the providers and pool workers of <paramref name="config"/> on <paramref name="store"/>. Relative
    /// paths in the config (a local provider's authorized-key) are taken from <paramref name="baseDirectory"/>.
    /// Throws <see cref="InvalidOperationException"/> naming the provider when one cannot be built.
    /// </summary>
    public static NodepoolLauncher Create(ProvidersConfig config, INodeStore store, string hostname, string baseDirectory,
        TimeProvider time, ILoggerFactory? loggers = null)
    {
        loggers ??= NullLoggerFactory.Instance;
        return Create(config, store, hostname, p => CreateProvider(p, baseDirectory, time, loggers), time, loggers);
    }

    /// <summary>Builds the pool workers of <paramref name="config"/> with providers made by <paramref name="providerFactory"/> (one per provider).</summary>
    public static NodepoolLauncher Create(ProvidersConfig config, INodeStore store, string hostname, Func<ProviderConfig, INodeProvider> providerFactory,
        TimeProvider time, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(providerFactory);
        loggers ??= NullLoggerFactory.Instance;
        var providers = ImmutableArray.CreateBuilder<INodeProvider>();
        var workers = ImmutableArray.CreateBuilder<PoolWorker>();
        foreach (var provider in config.Providers)
        {
            var nodeProvider = providerFactory(provider);
            providers.Add(nodeProvider);
            foreach (var pool in provider.Pools)
            {
                workers.Add(new PoolWorker(config, provider, pool, nodeProvider, store, hostname, time, loggers.CreateLogger($"Gating.Nodepool.{provider.Name}.{pool.Name}")));
            }
        }

        return new NodepoolLauncher(providers.ToImmutable(), workers.ToImmutable());
    }

    /// <summary>The provider of one provider config: static hosts or local isolated hosts.</summary>
    public static INodeProvider CreateProvider(ProviderConfig provider, string baseDirectory, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(loggers);
        switch (provider.Driver)
        {
            case "static":
                return new StaticNodeProvider(provider);
            case "local":
                var keyFile = provider.Local?.AuthorizedKey
                    ?? throw new InvalidOperationException($"provider '{provider.Name}': the local driver needs authorized-key (a public key file that may log in to its hosts)");
                keyFile = Path.GetFullPath(keyFile, baseDirectory);
                var key = File.Exists(keyFile)
                    ? File.ReadAllText(keyFile).Trim()
                    : throw new InvalidOperationException($"provider '{provider.Name}': authorized-key {keyFile} does not exist");
                return new LocalHostProvider(provider, key, time, loggers.CreateLogger($"Gating.Nodepool.{provider.Name}"));
            default:
                throw new InvalidOperationException($"provider '{provider.Name}': driver '{provider.Driver}' is not one this launcher has ({string.Join(", ", ProvidersConfigParser.Drivers)})");
        }
    }

    /// <summary>Runs every pool worker until cancelled.</summary>
    public Task RunAsync(PoolWorkerTimings timings, CancellationToken cancellationToken) =>
        Task.WhenAll(Workers.Select(w => w.RunAsync(timings, cancellationToken)));

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var worker in Workers)
        {
            await worker.DisposeAsync();
        }

        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }
    }
}

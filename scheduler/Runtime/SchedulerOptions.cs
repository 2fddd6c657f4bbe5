using Gating.Config.Loading;
using Gating.Scheduler.Sources;

namespace Gating.Scheduler.Runtime;

/// <summary>What one scheduler instance needs: its tenant, the drivers, nodes, a layout loader and a clock.</summary>
public sealed record SchedulerOptions
{
    /// <summary>The tenant this scheduler serves.</summary>
    public required string Tenant { get; init; }

    /// <summary>The source of every connection the tenant uses, by connection name.</summary>
    public required IReadOnlyDictionary<string, IChangeSource> Sources { get; init; }

    /// <summary>The reporter of every connection, by connection name.</summary>
    public required IReadOnlyDictionary<string, IReporter> Reporters { get; init; }

    /// <summary>Where node requests go.</summary>
    public required INodeProvisioner Nodes { get; init; }

    /// <summary>The projects' private keys, to decrypt the secrets a build's playbooks receive; null: none (secrets reach playbooks as null).</summary>
    public Gating.Config.Secrets.ProjectKeyStore? ProjectKeys { get; init; }

    /// <summary>Loads the tenant's layout from the projects' branches as they are now.</summary>
    public required Func<CancellationToken, Task<TenantLayout>> LoadLayout { get; init; }

    /// <summary>The clock (the pipeline core's <c>now</c>).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>This instance's name (lock contender identity, logs).</summary>
    public string Name { get; init; } = "scheduler";

    /// <summary>
    /// Called at every step where a crash can leave work half done (test fault injection); throwing from it
    /// stops the instance there, as a kill would.
    /// </summary>
    public Action<string>? Checkpoint { get; init; }
}

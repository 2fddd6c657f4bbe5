using System.Text.Json;
using Gating.Coordination;
using Gating.ZooKeeper;

namespace Gating.Executor.Server;

/// <summary>
/// The executor's entry in the component registry (<c>/gating/components/executor/&lt;hostname&gt;-&lt;seq&gt;</c>,
/// ephemeral, as Zuul's): host name, zone, state and whether it accepts work. It vanishes with the session.
/// </summary>
internal sealed class ComponentRegistration : IAsyncDisposable
{
    private readonly IZooKeeper _zk;
    private readonly ExecutorServerOptions _options;
    private readonly string _path;

    private ComponentRegistration(IZooKeeper zk, ExecutorServerOptions options, string path)
    {
        _zk = zk;
        _options = options;
        _path = path;
    }

    public static async Task<ComponentRegistration> RegisterAsync(IZooKeeper zk, ExecutorServerOptions options, CancellationToken cancellationToken)
    {
        var created = await zk.CreateWithParentsAsync($"{ZkPaths.Components("executor")}/{options.Hostname}-", Body(options, "running", true),
            CreateOptions.EphemeralSequential, cancellationToken).ConfigureAwait(false);
        return new ComponentRegistration(zk, options, created.Path);
    }

    public async Task SetAcceptingAsync(bool accepting, CancellationToken cancellationToken) =>
        await _zk.SetDataAsync(_path, Body(_options, "running", accepting), ZooKeeperVersion.Any, cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _zk.TryDeleteAsync(_path, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ZooKeeperException)
        {
            // The session is gone and the ephemeral node with it.
        }
    }

    private static byte[] Body(ExecutorServerOptions options, string state, bool accepting) => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
    {
        ["hostname"] = options.Hostname,
        ["state"] = state,
        ["zone"] = options.Zone,
        ["allow_unzoned"] = options.AllowUnzoned,
        ["accepting_work"] = accepting,
    });
}

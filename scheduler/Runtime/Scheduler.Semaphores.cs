using System.Globalization;
using System.Text;
using Gating.Coordination;
using Gating.Model;
using Gating.ZooKeeper;

namespace Gating.Scheduler.Runtime;

public sealed partial class Scheduler
{
    // Semaphores span pipelines: each pipeline publishes how many holders it has per semaphore at
    // ZkPaths.Semaphore(tenant, name)/<pipeline>, and a pass counts the other pipelines' holders from there. A
    // release in one pipeline also sends semaphore-released to the others (see the outbox), which wakes them.

    private async Task<Dictionary<string, int>> ExternalSemaphoreHoldersAsync(string pipeline, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        if (Tenant.Layout.Semaphores.IsEmpty)
        {
            return result;
        }
        foreach (var name in Tenant.Layout.Semaphores.Keys)
        {
            var root = ZkPaths.Semaphore(Tenant.Tenant, name);
            foreach (var child in await _zk.TryGetChildrenAsync(root, cancellationToken))
            {
                if (ZkPaths.Unquote(child) == pipeline)
                {
                    continue;
                }
                if (await _zk.TryGetDataAsync($"{root}/{child}", null, cancellationToken) is { } node
                    && int.TryParse(Encoding.UTF8.GetString(node.Data), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                {
                    result[name] = result.GetValueOrDefault(name) + count;
                }
            }
        }
        return result;
    }

    private async Task PublishSemaphoreHoldersAsync(string pipeline, PipelineState before, PipelineState after, CancellationToken cancellationToken)
    {
        foreach (var name in before.Semaphores.Keys.Union(after.Semaphores.Keys))
        {
            var old = before.Semaphores.TryGetValue(name, out var o) ? o.Length : 0;
            var now = after.Semaphores.TryGetValue(name, out var n) ? n.Length : 0;
            if (old == now)
            {
                continue;
            }
            var path = $"{ZkPaths.Semaphore(Tenant.Tenant, name)}/{ZkPaths.Quote(pipeline)}";
            var data = Encoding.UTF8.GetBytes(now.ToString(CultureInfo.InvariantCulture));
            try
            {
                await _zk.SetDataAsync(path, data, ZooKeeperVersion.Any, cancellationToken);
            }
            catch (ZooKeeperException e) when (e.Code == ErrorCode.NoNode)
            {
                await _zk.CreateWithParentsAsync(path, data, CreateOptions.Persistent, cancellationToken);
            }
        }
    }
}

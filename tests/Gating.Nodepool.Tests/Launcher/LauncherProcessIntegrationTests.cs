using CliWrap;
using Gating.Model;
using Gating.Nodepool.Config;
using Gating.Nodepool.Providers.Local;
using Gating.Nodepool.Store;
using Gating.Nodepool.Tests.Providers;
using Gating.Nodepool.Tests.Store;

namespace Gating.Nodepool.Tests.Launcher;

/// <summary>
/// `gating launcher` as a process on the real ZooKeeper with local isolated hosts (ports 23550-23569): killed
/// mid-request, it leaves nothing behind, and another launcher finishes the request.
/// </summary>
public sealed class LauncherProcessIntegrationTests : IAsyncLifetime
{
    private readonly RealNodeStoreBackend _zk = new();
    private readonly string _dir = TestHosts.TempDir("process");
    private readonly string _prefix = $"k{Guid.NewGuid():N}"[..6];
    private readonly List<IAsyncDisposable> _cleanup = [];
    private string? _neverReadyRootfs;

    private string Nodes => Path.Combine(_dir, "nodes");

    // A providers file for one local provider; the hosts' ssh comes from rootfs.
    private string ProvidersFile(string name, string rootfs)
    {
        var path = Path.Combine(_dir, name + ".yaml");
        File.WriteAllText(path, $"""
            labels:
              - name: debian
            providers:
              - name: local
                driver: local
                boot-timeout: 300
                rootfs: {rootfs}
                work-dir: {Nodes}
                authorized-key: {TestHosts.SshKey}.pub
                port-first: 23550
                port-last: 23569
                name-prefix: {_prefix}
                pools:
                  - name: main
                    max-servers: 3
                    labels:
                      - name: debian
            """);
        return path;
    }

    // The test rootfs with an sshd that never answers: hosts built on it stay half-built (building) for as long as we like.
    private async Task<string> NeverReadyRootfsAsync()
    {
        var fake = Path.Combine(_dir, "fake");
        Directory.CreateDirectory(Path.Combine(fake, "usr/sbin"));
        await File.WriteAllTextAsync(Path.Combine(fake, "usr/sbin/sshd"), "#!/bin/sh\nexec sleep 600\n");
        await Cli.Wrap("chmod").WithArguments(["0755", Path.Combine(fake, "usr/sbin/sshd")]).ExecuteAsync();
        var mount = Path.Combine(_dir, "never-ready");
        Directory.CreateDirectory(mount);
        await Cli.Wrap("mount").WithArguments(["-t", "overlay", "overlay", "-o", $"lowerdir={fake}:{TestHosts.Rootfs}", mount]).ExecuteAsync();
        return _neverReadyRootfs = mount;
    }

    [Fact]
    public async Task A_launcher_killed_while_launching_leaves_nothing_leaked_and_another_launcher_finishes_the_request()
    {
        var zk = await _zk.ConnectAsync();
        _cleanup.Add(zk);
        var zuul = new Requestor(await ZooKeeperNodeStore.OpenAsync(zk, "/nodepool", "zuul", TimeProvider.System, default));
        _cleanup.Insert(0, zuul);
        var dying = await LauncherProcess.StartAsync(_zk.ConnectString, ProvidersFile("dying", await NeverReadyRootfsAsync()), "dying");
        _cleanup.Insert(0, dying);
        var request = await zuul.SubmitAsync("debian", "debian", "debian");

        // Mid-request: the request is pending and three hosts exist, none ready (their sshd never answers).
        await TestHosts.WaitForAsync(async () => (await zuul.Store.NodesAsync(default)) is { Length: 3 } nodes
            && nodes.All(n => n is { State: NodeState.Building, ExternalId: not null }), "three half-built hosts", 60);
        var orphans = await zuul.Store.NodesAsync(default);
        Assert.Equal(NodeRequestState.Pending, (await zuul.Store.RequestAsync(request.Id, default))!.State);
        Assert.Contains(request.Id, (await zuul.Store.LockedAsync(default)).Requests);
        Assert.All(orphans, n => Assert.True(File.Exists($"/var/run/netns/{n.ExternalId}"), $"{n.ExternalId} is not there to leak"));

        await dying.KillAsync();
        // Its session times out; every lock it held goes with it.
        await TestHosts.WaitForAsync(async () => await zuul.Store.LockedAsync(default) is { Requests.Count: 0, Nodes.Count: 0 },
            "the killed launcher's locks to vanish with its session", 60);
        Assert.Empty(await zuul.Store.PoolsAsync(default));

        var survivor = await LauncherProcess.StartAsync(_zk.ConnectString, ProvidersFile("survivor", TestHosts.Rootfs), "survivor");
        _cleanup.Insert(0, survivor);
        var done = await zuul.WaitAsync(request.Id, seconds: 120);
        Assert.True(done.State == NodeRequestState.Fulfilled, $"request {done.Id} is {done.State.ToWire()}\n{survivor.Output}");
        var nodes = await zuul.Store.NodesAsync(default);
        Assert.Equal(3, nodes.Length);
        Assert.All(nodes, n => Assert.Equal(("survivor", NodeState.Ready), (n.Launcher, n.State)));
        Assert.Empty(done.NodeIds.Intersect(orphans.Select(o => o.Id)));
        Assert.All(orphans, o => Assert.False(File.Exists($"/var/run/netns/{o.ExternalId}"), $"{o.ExternalId}'s namespace leaked"));
        Assert.All(orphans, o => Assert.False(Directory.Exists(Path.Combine(Nodes, o.ExternalId!)), $"{o.ExternalId}'s overlay leaked"));

        await zuul.ReturnAsync(await zuul.AcceptAsync(done));
        await TestHosts.WaitForAsync(async () => (await zuul.Store.NodesAsync(default)).IsEmpty, "the used hosts to be deleted", 60);
        Assert.Empty(Directory.EnumerateDirectories(Nodes));
        Assert.Equal(0, await survivor.TerminateAsync());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var item in _cleanup)
        {
            await item.DisposeAsync();
        }

        var config = LocalHosts.Config(_prefix, Nodes, 23550, 23569);
        await using (var sweeper = new LocalHostProvider(config, TestHosts.SshPublicKey, TimeProvider.System))
        {
            foreach (var instance in await sweeper.ListAsync(default))
            {
                await sweeper.DeleteAsync(instance.ExternalId, default);
            }
        }

        if (_neverReadyRootfs is not null)
        {
            await Cli.Wrap("umount").WithArguments(["-l", _neverReadyRootfs]).WithValidation(CommandResultValidation.None).ExecuteAsync();
        }

        await _zk.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}

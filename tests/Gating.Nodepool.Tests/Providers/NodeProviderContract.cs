using Gating.Nodepool.Providers;

namespace Gating.Nodepool.Tests.Providers;

/// <summary>
/// What every <see cref="INodeProvider"/> must do. A driver's tests derive from this with a factory for a provider
/// that can hold exactly <c>capacity</c> nodes of <see cref="Label"/> in <see cref="Pool"/>.
/// </summary>
public abstract class NodeProviderContract : IAsyncLifetime
{
    protected const string Label = "debian";
    protected const string Pool = "main";

    private readonly List<INodeProvider> _providers = [];

    protected string TempDir { get; } = TestHosts.TempDir("contract");

    /// <summary>A provider with room for exactly <paramref name="capacity"/> nodes.</summary>
    protected abstract INodeProvider Create(int capacity);

    /// <summary>A node id unique to this test run.</summary>
    protected static string NewNodeId() => Guid.NewGuid().ToString("N")[..10];

    private INodeProvider Provider(int capacity)
    {
        var provider = Create(capacity);
        _providers.Add(provider);
        return provider;
    }

    [Fact]
    public async Task Created_node_is_reachable_over_ssh_with_the_host_keys_it_reports()
    {
        var provider = Provider(1);
        var node = await provider.WaitReadyAsync(await provider.CreateAsync(new(NewNodeId(), Label, Pool), default), default);
        Assert.NotEmpty(node.HostKeys);
        var result = await TestHosts.SshAsync(node.InterfaceIp, node.ConnectionPort, node.Username, node.HostKeys, "hostname", TempDir);
        Assert.True(result.ExitCode == 0, $"ssh failed: {result.StandardError}");
        Assert.False(string.IsNullOrWhiteSpace(result.StandardOutput));
        await provider.DeleteAsync(node.ExternalId, default);
    }

    [Fact]
    public async Task List_shows_instances_until_they_are_deleted()
    {
        var provider = Provider(2);
        var (idA, idB) = (NewNodeId(), NewNodeId());
        var a = await provider.CreateAsync(new(idA, Label, Pool), default);
        var b = await provider.CreateAsync(new(idB, Label, Pool), default);
        Assert.NotEqual(a.ExternalId, b.ExternalId);
        var listed = await provider.ListAsync(default);
        Assert.Contains(new ProviderInstance(a.ExternalId, idA), listed);
        Assert.Contains(new ProviderInstance(b.ExternalId, idB), listed);
        await provider.DeleteAsync(a.ExternalId, default);
        var left = (await provider.ListAsync(default)).Select(i => i.ExternalId).ToList();
        Assert.DoesNotContain(a.ExternalId, left);
        Assert.Contains(b.ExternalId, left);
        await provider.DeleteAsync(b.ExternalId, default);
        Assert.Empty(await provider.ListAsync(default));
    }

    [Fact]
    public async Task Delete_is_idempotent_and_ignores_unknown_ids()
    {
        var provider = Provider(1);
        var node = await provider.CreateAsync(new(NewNodeId(), Label, Pool), default);
        await provider.DeleteAsync(node.ExternalId, default);
        await provider.DeleteAsync(node.ExternalId, default);
        await provider.DeleteAsync("no-such-instance", default);
        Assert.Empty(await provider.ListAsync(default));
    }

    [Fact]
    public async Task A_full_provider_says_quota_and_has_room_again_after_a_delete()
    {
        var provider = Provider(1);
        Assert.True(provider.Quota.MaxServers is null or >= 1);
        var node = await provider.CreateAsync(new(NewNodeId(), Label, Pool), default);
        await Assert.ThrowsAsync<ProviderQuotaException>(() => provider.CreateAsync(new(NewNodeId(), Label, Pool), default));
        await provider.DeleteAsync(node.ExternalId, default);
        var again = await provider.CreateAsync(new(NewNodeId(), Label, Pool), default);
        await provider.DeleteAsync(again.ExternalId, default);
    }

    [Fact]
    public async Task A_label_the_provider_does_not_have_fails_the_launch()
    {
        var provider = Provider(1);
        await Assert.ThrowsAsync<NodeLaunchException>(() => provider.CreateAsync(new(NewNodeId(), "no-such-label", Pool), default));
        Assert.Empty(await provider.ListAsync(default));
    }

    [Fact]
    public async Task A_cancelled_create_leaves_nothing()
    {
        var provider = Provider(1);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => provider.CreateAsync(new(NewNodeId(), Label, Pool), cancelled.Token));
        Assert.Empty(await provider.ListAsync(default));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            foreach (var instance in await provider.ListAsync(default))
            {
                await provider.DeleteAsync(instance.ExternalId, default);
            }

            await provider.DisposeAsync();
        }

        Directory.Delete(TempDir, recursive: true);
    }
}

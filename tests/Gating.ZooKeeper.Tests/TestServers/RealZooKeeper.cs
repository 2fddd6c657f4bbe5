namespace Gating.ZooKeeper.Tests.TestServers;

/// <summary>The shared real server of the test run (GATING_TEST_ZOOKEEPER), and sessions rooted in fresh chroots.</summary>
public static class RealZooKeeper
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>"host:port" of the server; fails the test with a clear message when the variable is missing.</summary>
    public static string ConnectString
    {
        get
        {
            var value = Environment.GetEnvironmentVariable("GATING_TEST_ZOOKEEPER");
            Assert.False(string.IsNullOrWhiteSpace(value),
                "GATING_TEST_ZOOKEEPER is not set: start the test servers with `bash .ci/services start` and export what it prints");
            return value!;
        }
    }

    public static CancellationToken TestTimeout() => new CancellationTokenSource(Timeout).Token;

    public static Task<ZooKeeperClient> ConnectAsync(string? chroot = null, TimeSpan? sessionTimeout = null) =>
        ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = ConnectString + chroot,
            SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(10),
        }, TestTimeout());

    /// <summary>Creates a unique root node and connects a session chrooted in it.</summary>
    public static async Task<ZooKeeperClient> ConnectRootedAsync(string prefix)
    {
        var root = $"/gating-test-{prefix}-{Guid.NewGuid():N}";
        await using (var admin = await ConnectAsync())
        {
            await admin.CreateAsync(root, default, CreateOptions.Persistent, TestTimeout());
        }
        return await ConnectAsync(root);
    }
}

using Gating.ZooKeeper.Embedded;
using Microsoft.Extensions.Time.Testing;

namespace Gating.ZooKeeper.Tests.Embedded;

/// <summary>A temp directory and a fake clock for one test; the directory is removed at the end.</summary>
internal sealed class EmbeddedTestStore : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "gating-zk-" + Guid.NewGuid().ToString("N"));

    public FakeTimeProvider Time { get; } = new();

    public EmbeddedZooKeeperOptions Options => new() { TimeProvider = Time, SnapshotEveryTransactions = 1000 };

    public Task<EmbeddedZooKeeper> OpenAsync(EmbeddedZooKeeperOptions? options = null) =>
        EmbeddedZooKeeper.OpenAsync(Directory, options ?? Options, CancellationToken.None);

    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }
            await Task.Delay(5);
        }
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

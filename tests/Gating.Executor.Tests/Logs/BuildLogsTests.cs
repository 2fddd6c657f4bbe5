using Gating.Executor.Logs;

namespace Gating.Executor.Tests.Logs;

public sealed class BuildLogsTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "gating-log-" + Guid.NewGuid().ToString("N") + ".txt");

    [Fact]
    public async Task A_follower_gets_lines_as_they_are_written_and_stops_when_the_build_finishes()
    {
        var logs = new BuildLogs(TimeProvider.System, TimeSpan.FromMilliseconds(5));
        logs.Started("b1", _file);
        await File.WriteAllTextAsync(_file, "one\ntw");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var lines = logs.FollowAsync("b1", timeout.Token).GetAsyncEnumerator(timeout.Token);

        Assert.True(await lines.MoveNextAsync());
        Assert.Equal("one", lines.Current);
        var next = lines.MoveNextAsync().AsTask();
        Assert.False(next.IsCompleted); // "tw" is not a whole line yet
        await File.AppendAllTextAsync(_file, "o\nthree");
        Assert.True(await next);
        Assert.Equal("two", lines.Current);
        logs.Finished("b1", _file);
        Assert.True(await lines.MoveNextAsync());
        Assert.Equal("three", lines.Current);
        Assert.False(await lines.MoveNextAsync());
    }

    [Fact]
    public async Task Following_an_unknown_build_fails()
    {
        var logs = new BuildLogs(TimeProvider.System);

        await Assert.ThrowsAsync<KeyNotFoundException>(async () =>
        {
            await foreach (var _ in logs.FollowAsync("nope", CancellationToken.None))
            {
            }
        });
    }

    public void Dispose() => File.Delete(_file);
}

using Gating.Executor.Git;
using Gating.Executor.Merger;
using Gating.Model;
using Gating.Testing.Git;

namespace Gating.Executor.Tests.Merger;

/// <summary>A git server plus a merger with its own cache and work dirs, all in fresh temporary directories.</summary>
internal sealed class MergerFixture : IAsyncDisposable
{
    public const string Connection = "review";
    public static readonly DateTimeOffset ConfiguredTime = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<string> _dirs = [];

    public MergerFixture() => Server = GitTestServer.Create();

    public GitTestServer Server { get; }

    public GitRunner Git { get; } = new(new GitOptions(), TimeProvider.System);

    /// <summary>A merger with its own cache; <paramref name="baseUrl"/> defaults to the file:// URL.</summary>
    public (MergeService Service, string WorkRoot) NewMerger(string? baseUrl = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "gating-merger-" + Guid.NewGuid().ToString("N")[..12]);
        _dirs.Add(dir);
        var locator = new BaseUrlRepositoryLocator(new Dictionary<string, string> { [Connection] = baseUrl ?? Server.FileBaseUrl });
        var cache = new RepositoryCache(Path.Combine(dir, "cache"), Git, locator);
        var work = Path.Combine(dir, "work");
        return (new MergeService(cache, work), work);
    }

    public static MergeItem Item(GitTestChange change, MergeMode mode) =>
        new(Connection, change.Project, change.Branch, change.Ref, change.Commit, mode, change.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), change.Patchset.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static MergeRequest Request(params MergeItem[] items) => new([.. items], null, ConfiguredTime);

    public async Task<string[]> ParentsAsync(string repo, string sha) =>
        (await Git.RunAsync(repo, ["rev-list", "--parents", "-n1", sha], CancellationToken.None)).Text.Split(' ')[1..];

    public async Task<string?> FileAtAsync(string repo, string sha, string file)
    {
        var output = await Git.RunAsync(repo, ["show", $"{sha}:{file}"], null, check: false, CancellationToken.None);
        return output.ExitCode == 0 ? output.StandardOutput : null;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        foreach (var dir in _dirs)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

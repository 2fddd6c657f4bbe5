using System.Collections.Immutable;
using Gating.Executor.Build;
using Gating.Executor.Git;
using Gating.Executor.Merger;
using Gating.Model;
using Gating.Testing.Git;

namespace Gating.Executor.Tests.Build;

/// <summary>work/src preparation against real git: schemes, frozen state, speculative merge, checkout choice.</summary>
public sealed class WorkspaceIntegrationTests : IAsyncDisposable
{
    private const string Connection = "review";
    private readonly GitTestServer _server = GitTestServer.Create();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "gating-ws-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly GitRunner _git = new(new GitOptions(), TimeProvider.System);

    private static BuildProject Project(string name, string? overrideCheckout = null) => new(Connection, name, "review.example.org", "main", overrideCheckout);

    private WorkspaceBuilder Builder() => new(new RepositoryCache(Path.Combine(_root, "cache"), _git,
        new BaseUrlRepositoryLocator(new Dictionary<string, string> { [Connection] = _server.FileBaseUrl })));

    private async Task<string> Git(string repo, params string[] args) => (await _git.RunAsync(repo, args, CancellationToken.None)).Text;

    [Theory]
    [InlineData(WorkspaceScheme.Golang, "review.example.org/org/app")]
    [InlineData(WorkspaceScheme.Flat, "app")]
    [InlineData(WorkspaceScheme.Unique, "review.example.org/org%2Fapp")]
    public void Workspace_schemes_lay_projects_out_as_Zuul_does(WorkspaceScheme scheme, string expected) =>
        Assert.Equal(Path.Combine("/src", expected), WorkspaceBuilder.PathFor("/src", Project("org/app"), scheme));

    [Fact]
    public async Task The_workspace_has_the_change_on_the_frozen_tip_with_origin_at_the_state_before_it()
    {
        var frozen = await _server.CreateProjectAsync("org/app", new Dictionary<string, string> { ["a.txt"] = "a\n" });
        await _server.CreateProjectAsync("org/lib", new Dictionary<string, string> { ["lib.txt"] = "lib\n" });
        await _server.CreateBranchAsync("org/lib", "stable", "refs/heads/main");
        await _server.CreateBranchAsync("org/app", "stable", "refs/heads/main");
        var libStable = await _server.CommitAsync("org/lib", "stable", new Dictionary<string, string?> { ["stable.txt"] = "s\n" }, "Stable only");
        var change = await _server.CreateChangeAsync("org/app", "main", 77, 1, new Dictionary<string, string?> { ["change.txt"] = "c\n" });
        var state = MergeRepoState.Empty
            .With(new ProjectRef(Connection, "org/app"), new Dictionary<string, string> { ["refs/heads/main"] = frozen, ["refs/heads/stable"] = frozen }.ToImmutableSortedDictionary(StringComparer.Ordinal));
        // The branch moves after the state was frozen: the build must not see the later commit.
        await _server.CommitAsync("org/app", "main", new Dictionary<string, string?> { ["late.txt"] = "late\n" }, "Too late");
        var parameters = new BuildParameters
        {
            BuildId = "b1", BuildSetId = "bs1", Tenant = "t", Pipeline = "gate", Job = "j", Project = Project("org/app"), Branch = "main",
            Items = [new BuildItem(Project("org/app"), new MergeItem(Connection, "org/app", "main", change.Ref, change.Commit, MergeMode.MergeResolve))],
            RepoState = state,
            RequiredProjects = [Project("org/lib", overrideCheckout: "stable"), Project("org/app")],
            ConfiguredTime = DateTimeOffset.UnixEpoch,
        };

        var workspace = await Builder().PrepareAsync(parameters, Path.Combine(_root, "src"), CancellationToken.None);

        var app = workspace.Projects[new ProjectRef(Connection, "org/app")];
        Assert.Equal(("main", "zuul branch"), (app.Checkout, app.CheckoutDescription));
        Assert.True(File.Exists(Path.Combine(app.Path, "change.txt")));
        Assert.False(File.Exists(Path.Combine(app.Path, "late.txt")));
        Assert.Equal(frozen, await Git(app.Path, "rev-parse", "origin/main"));
        Assert.Equal("change.txt", await Git(app.Path, "diff", "--name-only", "origin/main..main"));
        Assert.Equal(frozen, await Git(app.Path, "rev-parse", "stable"));
        Assert.Equal("file:///dev/null", await Git(app.Path, "remote", "get-url", "origin"));
        var lib = workspace.Projects[new ProjectRef(Connection, "org/lib")];
        Assert.Equal(("stable", "project override ref", libStable, true), (lib.Checkout, lib.CheckoutDescription, lib.Commit, lib.Required));
        Assert.Equal(Path.Combine(_root, "src", "review.example.org", "org", "lib"), lib.Path);
    }

    [Fact]
    public async Task A_change_that_does_not_merge_in_the_workspace_is_a_merge_conflict()
    {
        await _server.CreateProjectAsync("org/app", new Dictionary<string, string> { ["a.txt"] = "a\n" });
        var one = await _server.CreateChangeAsync("org/app", "main", 1, 1, new Dictionary<string, string?> { ["a.txt"] = "one\n" });
        var two = await _server.CreateChangeAsync("org/app", "main", 2, 1, new Dictionary<string, string?> { ["a.txt"] = "two\n" });
        var parameters = new BuildParameters
        {
            BuildId = "b2", BuildSetId = "bs2", Tenant = "t", Pipeline = "gate", Job = "j", Project = Project("org/app"), Branch = "main",
            Items =
            [
                new BuildItem(Project("org/app"), new MergeItem(Connection, "org/app", "main", one.Ref, one.Commit, MergeMode.CherryPick)),
                new BuildItem(Project("org/app"), new MergeItem(Connection, "org/app", "main", two.Ref, two.Commit, MergeMode.CherryPick)),
            ],
        };

        var error = await Assert.ThrowsAsync<WorkspaceMergeConflictException>(() => Builder().PrepareAsync(parameters, Path.Combine(_root, "src"), CancellationToken.None));

        Assert.True(error.Message.Contains("Item 1", StringComparison.Ordinal), error.Message);
        Assert.Contains(two.Ref, error.Message);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

using Gating.Model;

namespace Gating.Executor.Tests.Merger;

/// <summary>The merger against real git repositories (file:// and git daemon).</summary>
public sealed class MergerIntegrationTests
{
    private const string Project = "org/project";

    private static readonly Dictionary<string, string> InitialFiles = new() { ["README"] = "hello\n", ["shared.txt"] = "line 1\nline 2\nline 3\n" };

    [Theory]
    [InlineData(MergeMode.Merge)]
    [InlineData(MergeMode.MergeResolve)]
    [InlineData(MergeMode.MergeRecursive)]
    [InlineData(MergeMode.MergeOrt)]
    [InlineData(MergeMode.CherryPick)]
    [InlineData(MergeMode.SquashMerge)]
    [InlineData(MergeMode.Rebase)]
    public async Task Each_merge_mode_stacks_two_independent_changes(MergeMode mode)
    {
        await using var fx = new MergerFixture();
        var tip = await fx.Server.CreateProjectAsync(Project, InitialFiles);
        var one = await fx.Server.CreateChangeAsync(Project, "main", 1, 1, new Dictionary<string, string?> { ["one.txt"] = "1\n" });
        var two = await fx.Server.CreateChangeAsync(Project, "main", 2, 1, new Dictionary<string, string?> { ["two.txt"] = "2\n" });
        var (merger, work) = fx.NewMerger();

        var result = await merger.MergeAsync(MergerFixture.Request(MergerFixture.Item(one, mode), MergerFixture.Item(two, mode)), CancellationToken.None);

        Assert.True(result.Merged, result.ConflictDetail);
        var repo = Path.Combine(work, MergerFixture.Connection, Project);
        var (first, second) = (result.ItemCommits[0], result.ItemCommits[1]);
        Assert.Equal(second, result.Commits[$"{MergerFixture.Connection}/{Project}"]["main"]);
        Assert.Equal("1\n", await fx.FileAtAsync(repo, second, "one.txt"));
        Assert.Equal("2\n", await fx.FileAtAsync(repo, second, "two.txt"));
        Assert.Equal(tip, result.RepoState.For(new ProjectRef(MergerFixture.Connection, Project))!["refs/heads/main"]);
        var secondParents = await fx.ParentsAsync(repo, second);
        switch (mode)
        {
            case MergeMode.Merge or MergeMode.MergeResolve or MergeMode.MergeRecursive or MergeMode.MergeOrt:
                Assert.Equal(one.Commit, first); // the first change fast-forwards
                Assert.Equal([first, two.Commit], secondParents);
                break;
            case MergeMode.CherryPick or MergeMode.SquashMerge:
                Assert.NotEqual(one.Commit, first);
                Assert.Equal([tip], await fx.ParentsAsync(repo, first));
                Assert.Equal([first], secondParents);
                break;
            case MergeMode.Rebase:
                Assert.Equal(one.Commit, first); // already on the tip: nothing to rebase
                Assert.Equal([first], secondParents);
                break;
        }
    }

    [Fact]
    public async Task A_conflict_is_reported_for_the_item_that_caused_it()
    {
        await using var fx = new MergerFixture();
        await fx.Server.CreateProjectAsync(Project, InitialFiles);
        var clean = await fx.Server.CreateChangeAsync(Project, "main", 10, 1, new Dictionary<string, string?> { ["shared.txt"] = "line 1\nline 2\nline 3 from 10\n" });
        var other = await fx.Server.CreateChangeAsync(Project, "main", 11, 1, new Dictionary<string, string?> { ["other.txt"] = "x\n" });
        var conflicting = await fx.Server.CreateChangeAsync(Project, "main", 12, 2, new Dictionary<string, string?> { ["shared.txt"] = "line 1\nline 2\nline 3 from 12\n" });
        var after = await fx.Server.CreateChangeAsync(Project, "main", 13, 1, new Dictionary<string, string?> { ["after.txt"] = "y\n" });
        var (merger, _) = fx.NewMerger();

        var result = await merger.MergeAsync(MergerFixture.Request(
            MergerFixture.Item(clean, MergeMode.MergeResolve), MergerFixture.Item(other, MergeMode.MergeResolve),
            MergerFixture.Item(conflicting, MergeMode.MergeResolve), MergerFixture.Item(after, MergeMode.MergeResolve)), CancellationToken.None);

        Assert.False(result.Merged);
        Assert.Equal(2, result.ConflictItem);
        Assert.Contains("merge", result.ConflictDetail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, result.ItemCommits.Length);
        Assert.Empty(result.Files);

        // The merger's repository is usable again right after the conflict.
        var again = await merger.MergeAsync(MergerFixture.Request(MergerFixture.Item(after, MergeMode.CherryPick)), CancellationToken.None);
        Assert.True(again.Merged, again.ConflictDetail);
    }

    [Theory]
    [InlineData(MergeMode.CherryPick)]
    [InlineData(MergeMode.Rebase)]
    public async Task A_conflict_in_a_linear_mode_names_the_item(MergeMode mode)
    {
        await using var fx = new MergerFixture();
        await fx.Server.CreateProjectAsync(Project, InitialFiles);
        var first = await fx.Server.CreateChangeAsync(Project, "main", 20, 1, new Dictionary<string, string?> { ["shared.txt"] = "a\n" });
        var second = await fx.Server.CreateChangeAsync(Project, "main", 21, 1, new Dictionary<string, string?> { ["shared.txt"] = "b\n" });
        var (merger, _) = fx.NewMerger();

        var result = await merger.MergeAsync(MergerFixture.Request(MergerFixture.Item(first, mode), MergerFixture.Item(second, mode)), CancellationToken.None);

        Assert.False(result.Merged);
        Assert.Equal(1, result.ConflictItem);
    }

    [Fact]
    public async Task Two_mergers_with_separate_caches_make_identical_commits()
    {
        await using var fx = new MergerFixture();
        await fx.Server.CreateProjectAsync(Project, InitialFiles);
        await fx.Server.CreateProjectAsync("org/lib", new Dictionary<string, string> { ["lib.txt"] = "lib\n" });
        await fx.Server.CreateBranchAsync("org/lib", "stable", "refs/heads/main");
        var a = await fx.Server.CreateChangeAsync(Project, "main", 30, 1, new Dictionary<string, string?> { ["a.txt"] = "a\n" });
        var b = await fx.Server.CreateChangeAsync(Project, "main", 31, 3, new Dictionary<string, string?> { ["b.txt"] = "b\n" });
        var c = await fx.Server.CreateChangeAsync("org/lib", "stable", 32, 1, new Dictionary<string, string?> { ["c.txt"] = "c\n" });
        var d = await fx.Server.CreateChangeAsync(Project, "main", 33, 1, new Dictionary<string, string?> { ["d.txt"] = "d\n" });
        var request = MergerFixture.Request(
            MergerFixture.Item(a, MergeMode.CherryPick), MergerFixture.Item(b, MergeMode.MergeResolve),
            MergerFixture.Item(c, MergeMode.SquashMerge), MergerFixture.Item(d, MergeMode.MergeOrt));
        var gitUrl = await fx.Server.StartDaemonAsync();
        var (overFile, _) = fx.NewMerger();
        var (overDaemon, _) = fx.NewMerger(gitUrl);

        var first = await overFile.MergeAsync(request, CancellationToken.None);
        var second = await overDaemon.MergeAsync(request, CancellationToken.None);

        Assert.True(first.Merged, first.ConflictDetail);
        Assert.True(second.Merged, second.ConflictDetail);
        Assert.Equal(first.ItemCommits.ToArray(), second.ItemCommits.ToArray());
        Assert.Equal(4, first.ItemCommits.Distinct().Count());
        Assert.Equal(first.ItemCommits[2], first.Commits[$"{MergerFixture.Connection}/org/lib"]["stable"]);
        Assert.True(first.RepoState.SameAs(second.RepoState));
    }

    [Fact]
    public async Task A_frozen_repo_state_is_the_base_even_after_the_branch_moved()
    {
        await using var fx = new MergerFixture();
        var oldTip = await fx.Server.CreateProjectAsync(Project, InitialFiles);
        var (merger, work) = fx.NewMerger();
        var frozen = await merger.RefStateAsync(new RefStateRequest([new ProjectRef(MergerFixture.Connection, Project)]), CancellationToken.None);
        var newTip = await fx.Server.CommitAsync(Project, "main", new Dictionary<string, string?> { ["later.txt"] = "later\n" }, "Later");
        var change = await fx.Server.CreateChangeAsync(Project, "main", 40, 1, new Dictionary<string, string?> { ["c.txt"] = "c\n" }, parent: oldTip);
        var unrelated = await fx.Server.CreateChangeAsync(Project, "main", 41, 1, new Dictionary<string, string?> { ["u.txt"] = "u\n" }, parent: oldTip);

        var result = await merger.MergeAsync(MergerFixture.Request(MergerFixture.Item(unrelated, MergeMode.CherryPick), MergerFixture.Item(change, MergeMode.CherryPick)) with { RepoState = frozen }, CancellationToken.None);
        var current = await merger.RefStateAsync(new RefStateRequest([new ProjectRef(MergerFixture.Connection, Project)]), CancellationToken.None);

        Assert.True(result.Merged, result.ConflictDetail);
        var repo = Path.Combine(work, MergerFixture.Connection, Project);
        Assert.Null(await fx.FileAtAsync(repo, result.ItemCommits[1], "later.txt"));
        Assert.Equal(oldTip, frozen.For(new ProjectRef(MergerFixture.Connection, Project))!["refs/heads/main"]);
        Assert.Equal(newTip, current.For(new ProjectRef(MergerFixture.Connection, Project))!["refs/heads/main"]);
        Assert.True(result.RepoState.SameAs(frozen));
    }

    [Fact]
    public async Task Merge_returns_the_config_files_of_the_merged_result()
    {
        await using var fx = new MergerFixture();
        await fx.Server.CreateProjectAsync(Project, new Dictionary<string, string> { ["zuul.yaml"] = "- job: {name: base}\n", ["other.yaml"] = "no\n" });
        var change = await fx.Server.CreateChangeAsync(Project, "main", 50, 1, new Dictionary<string, string?>
        {
            ["zuul.d/jobs.yaml"] = "- job: {name: unit}\n",
            [".zuul.d/more/x.yaml"] = "- job: {name: x}\n",
            ["extra/vars.yaml"] = "v: 1\n",
            ["extra-file.yaml"] = "e: 1\n",
        });
        var (merger, _) = fx.NewMerger();

        var result = await merger.MergeAsync(MergerFixture.Request(MergerFixture.Item(change, MergeMode.MergeResolve)) with { ExtraFiles = ["extra-file.yaml"], ExtraDirs = ["extra"] }, CancellationToken.None);

        var files = Assert.Single(result.Files);
        Assert.Equal(("org/project", "main"), (files.Project, files.Branch));
        Assert.Equal(
            [".zuul.d/more/x.yaml", "extra-file.yaml", "extra/vars.yaml", "zuul.d/jobs.yaml", "zuul.yaml"],
            files.Files.Keys);
        Assert.Equal("- job: {name: unit}\n", files.Files["zuul.d/jobs.yaml"]);
    }

    [Fact]
    public async Task Cat_reads_the_config_files_of_a_branch_tip()
    {
        await using var fx = new MergerFixture();
        await fx.Server.CreateProjectAsync(Project, new Dictionary<string, string> { [".zuul.yaml"] = "- project: {}\n", ["src/main.c"] = "int main;\n" });
        await fx.Server.CreateChangeAsync(Project, "main", 60, 1, new Dictionary<string, string?> { [".zuul.yaml"] = "- changed\n" });
        var (merger, _) = fx.NewMerger();

        var files = await merger.CatAsync(new CatRequest(MergerFixture.Connection, Project, "main", ["src/main.c", "missing.yaml"]), CancellationToken.None);

        Assert.Equal([".zuul.yaml", "src/main.c"], files.Files.Keys);
        Assert.Equal("- project: {}\n", files.Files[".zuul.yaml"]);
    }

    [Fact]
    public async Task Files_changes_lists_what_a_change_touches_against_its_branch()
    {
        await using var fx = new MergerFixture();
        var oldTip = await fx.Server.CreateProjectAsync(Project, InitialFiles);
        await fx.Server.CommitAsync(Project, "main", new Dictionary<string, string?> { ["landed.txt"] = "l\n" }, "Landed meanwhile");
        var change = await fx.Server.CreateChangeAsync(Project, "main", 70, 4, new Dictionary<string, string?> { ["README"] = null, ["docs/new.md"] = "n\n", ["shared.txt"] = "s\n" }, parent: oldTip);
        var (merger, _) = fx.NewMerger();

        var files = await merger.FilesChangesAsync(new FilesChangesRequest(MergerFixture.Connection, Project, "main", change.Ref), CancellationToken.None);

        Assert.Equal(["README", "docs/new.md", "shared.txt"], files.ToArray());
    }

    [Fact]
    public async Task Cherry_pick_of_a_merge_commit_falls_back_to_a_merge()
    {
        await using var fx = new MergerFixture();
        var tip = await fx.Server.CreateProjectAsync(Project, InitialFiles);
        var side = await fx.Server.CreateChangeAsync(Project, "main", 80, 1, new Dictionary<string, string?> { ["side.txt"] = "s\n" });
        var other = await fx.Server.CreateChangeAsync(Project, "main", 81, 1, new Dictionary<string, string?> { ["other.txt"] = "o\n" });
        var mergeCommit = await fx.Server.CreateMergeCommitAsync(Project, "refs/changes/82/82/1", [side.Commit, other.Commit], "Merge side");
        var (merger, work) = fx.NewMerger();

        var result = await merger.MergeAsync(MergerFixture.Request(
            new MergeItem(MergerFixture.Connection, Project, "main", "refs/changes/82/82/1", mergeCommit, MergeMode.CherryPick)), CancellationToken.None);

        Assert.True(result.Merged, result.ConflictDetail);
        Assert.Equal(mergeCommit, result.ItemCommits[0]); // fast-forward onto the tip, as merge-resolve does
        Assert.Equal([side.Commit, other.Commit], await fx.ParentsAsync(Path.Combine(work, MergerFixture.Connection, Project), mergeCommit));
        Assert.NotEqual(tip, result.ItemCommits[0]);
    }
}

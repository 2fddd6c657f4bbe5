using System.Collections.Immutable;
using Gating.Coordination;
using Gating.Model;
using Gating.Model.Events;
using Gating.Model.Json;
using Gating.Model.Requests;

namespace Gating.Executor.Tests.Server;

/// <summary>Merger requests of each type through the real ZooKeeper queue to an executor server's merger worker.</summary>
public sealed class MergerWorkerIntegrationTests
{
    private const string Project = "org/project";

    private static async Task<byte[]> RunAsync<T>(ServerFixture fx, MergeJobType type, T request, bool forPipeline = true)
    {
        var uuid = Guid.NewGuid().ToString("N");
        var data = forPipeline
            ? new MergeRequestData(type, ServerFixture.Tenant, ServerFixture.Pipeline, "buildset-" + uuid[..6], "event-1")
            : new MergeRequestData(type);
        await fx.Merges.SubmitAsync(new JobRequest<MergeRequestData> { Uuid = uuid, Data = data }, ModelJson.Serialize(request), waitForResult: true,
            CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var result = await fx.Merges.WaitForResultAsync(uuid, timeout.Token);
        Assert.NotNull(result);
        if (forPipeline)
        {
            var completed = await fx.WaitForEventAsync<MergeJobCompletedEvent>(e => e.RequestId == uuid);
            Assert.Equal(type, completed.JobType);
            Assert.Equal("buildset-" + uuid[..6], completed.BuildSetId);
            Assert.Null(completed.Error);
        }
        Assert.Equal(JobRequestState.Completed, (await fx.Merges.GetAsync(uuid, CancellationToken.None))!.State);
        return result;
    }

    [Fact]
    public async Task Merge_cat_refstate_and_fileschanges_requests_are_served_through_the_queue()
    {
        await using var fx = await ServerFixture.CreateAsync();
        var tip = await fx.Server.CreateProjectAsync(Project, new Dictionary<string, string> { ["README"] = "hello\n", ["zuul.yaml"] = "- job: {name: base}\n" });
        var one = await fx.Server.CreateChangeAsync(Project, "main", 1, 1, new Dictionary<string, string?> { ["one.txt"] = "1\n" });
        var two = await fx.Server.CreateChangeAsync(Project, "main", 2, 1, new Dictionary<string, string?> { ["zuul.yaml"] = "- job: {name: two}\n" });
        await fx.StartExecutorAsync("exec-a");
        MergeItem Item(Testing.Git.GitTestChange c) => new(ServerFixture.Connection, Project, "main", c.Ref, c.Commit, MergeMode.MergeResolve, c.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), "1");

        var merge = ModelJson.Deserialize<MergeResult>(await RunAsync(fx, MergeJobType.Merge,
            new MergeRequest([Item(one), Item(two)], null, new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), [], [])));
        var cat = ModelJson.Deserialize<MergeFiles>(await RunAsync(fx, MergeJobType.Cat, new CatRequest(ServerFixture.Connection, Project, "main", [], [])));
        var refs = ModelJson.Deserialize<MergeRepoState>(await RunAsync(fx, MergeJobType.RefState,
            new RefStateRequest([new ProjectRef(ServerFixture.Connection, Project)], []), forPipeline: false));
        var files = ModelJson.Deserialize<ImmutableArray<string>>(await RunAsync(fx, MergeJobType.FilesChanges,
            new FilesChangesRequest(ServerFixture.Connection, Project, "main", two.Ref)));

        Assert.True(merge.Merged);
        Assert.Equal(2, merge.ItemCommits.Length);
        Assert.Equal("- job: {name: two}\n", Assert.Single(merge.Files).Files["zuul.yaml"]);
        Assert.Equal("- job: {name: base}\n", cat.Files["zuul.yaml"]);
        Assert.Equal(tip, refs.For(new ProjectRef(ServerFixture.Connection, Project))!["refs/heads/main"]);
        Assert.Equal(["zuul.yaml"], files.ToArray());
    }

    [Fact]
    public async Task A_conflict_is_a_result_and_an_impossible_job_reports_an_error()
    {
        await using var fx = await ServerFixture.CreateAsync();
        await fx.Server.CreateProjectAsync(Project, new Dictionary<string, string> { ["shared.txt"] = "a\n" });
        var one = await fx.Server.CreateChangeAsync(Project, "main", 1, 1, new Dictionary<string, string?> { ["shared.txt"] = "one\n" });
        var two = await fx.Server.CreateChangeAsync(Project, "main", 2, 1, new Dictionary<string, string?> { ["shared.txt"] = "two\n" });
        await fx.StartExecutorAsync("exec-a");
        MergeItem Item(Testing.Git.GitTestChange c) => new(ServerFixture.Connection, Project, "main", c.Ref, c.Commit, MergeMode.MergeResolve);

        var conflict = ModelJson.Deserialize<MergeResult>(await RunAsync(fx, MergeJobType.Merge,
            new MergeRequest([Item(one), Item(two)], null, DateTimeOffset.UnixEpoch, [], [])));
        Assert.False(conflict.Merged);
        Assert.Equal(1, conflict.ConflictItem);

        var uuid = Guid.NewGuid().ToString("N");
        await fx.Merges.SubmitAsync(new JobRequest<MergeRequestData>
        {
            Uuid = uuid,
            Data = new MergeRequestData(MergeJobType.Cat, ServerFixture.Tenant, ServerFixture.Pipeline),
        }, ModelJson.Serialize(new CatRequest("no-such-connection", Project, "main", [], [])), waitForResult: false, CancellationToken.None);
        var failed = await fx.WaitForEventAsync<MergeJobCompletedEvent>(e => e.RequestId == uuid);
        Assert.Contains("no-such-connection", failed.Error, StringComparison.Ordinal);
    }
}

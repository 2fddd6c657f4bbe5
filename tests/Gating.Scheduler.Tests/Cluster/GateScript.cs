using System.Collections.Immutable;
using Gating.Testing.Cluster;
using Gating.Testing.Scenarios;

namespace Gating.Scheduler.Tests.Cluster;

/// <summary>
/// A gate scenario with a reset, a check run, a new patchset and a recheck, run on any cluster; its outcome is
/// summarised as text so that runs can be compared.
/// </summary>
public static class GateScript
{
    public static async Task<string> RunAsync(TestCluster cluster, CancellationToken ct)
    {
        var a = await cluster.CreateChangeAsync(new NewChange("org/project"), ct);
        var b = await cluster.CreateChangeAsync(new NewChange("org/project"), ct);
        var c = await cluster.CreateChangeAsync(new NewChange("org/project1"), ct);
        var d = await cluster.CreateChangeAsync(new NewChange("org/project1", DependsOn: [c]), ct);
        cluster.SetBuildOutcome(new BuildOutcomeRule(new BuildSelector("project-test1", b, "gate"), "FAILURE"));
        cluster.HoldBuilds(new BuildSelector(Pipeline: "gate"));
        await cluster.SendPatchsetCreatedAsync(a, ct);
        await cluster.SettleAsync(ct);
        foreach (var change in new[] { a, b, c, d })
        {
            await GateFixture.ApproveForGateAsync(cluster, change, ct);
        }
        await cluster.SettleAsync(ct);
        await cluster.ReleaseBuildsAsync(new BuildSelector("project-merge"), ct);
        await cluster.SettleAsync(ct);
        await cluster.ReleaseBuildsAsync(new BuildSelector(Change: b), ct);
        await cluster.SettleAsync(ct);
        await cluster.NewPatchsetAsync(b, ImmutableDictionary<string, string?>.Empty.Add("fixed.txt", "fixed\n"), ct);
        await cluster.ReleaseBuildsAsync(new BuildSelector(Pipeline: "gate"), ct);
        await cluster.SettleAsync(ct);
        await cluster.CommentAsync(b, "recheck", null, ct);
        await cluster.SettleAsync(ct);
        return Summary(cluster, [a, b, c, d]);
    }

    public static string Summary(TestCluster cluster, int[] changes) => string.Join("\n",
        GateFixture.Lines(cluster.History)
            .Append("merged: " + string.Join(" ", cluster.MergedChanges))
            .Concat(changes.Select(c => $"votes {c}: " + string.Join(" ", cluster.GetVotes(c).OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}"))))
            .Concat(changes.SelectMany(c => cluster.GetReports(c).Select(r => $"report {c} {r.Pipeline}: {r.Message.ReplaceLineEndings(" | ")}")))
            .Append("running: " + cluster.RunningBuilds.Count));
}

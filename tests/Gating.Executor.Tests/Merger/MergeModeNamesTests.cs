using Gating.Model;

namespace Gating.Executor.Tests.Merger;

public sealed class MergeModeNamesTests
{
    [Theory]
    [InlineData("merge", MergeMode.Merge)]
    [InlineData("merge-resolve", MergeMode.MergeResolve)]
    [InlineData("merge-recursive", MergeMode.MergeRecursive)]
    [InlineData("merge-ort", MergeMode.MergeOrt)]
    [InlineData("cherry-pick", MergeMode.CherryPick)]
    [InlineData("squash-merge", MergeMode.SquashMerge)]
    [InlineData("rebase", MergeMode.Rebase)]
    public void Config_names_round_trip(string name, MergeMode mode)
    {
        Assert.True(MergeModeNames.TryParse(name, out var parsed));
        Assert.Equal(mode, parsed);
        Assert.Equal(name, mode.ToName());
    }

    [Fact]
    public void Unknown_names_are_rejected() => Assert.False(MergeModeNames.TryParse("octopus", out _));
}

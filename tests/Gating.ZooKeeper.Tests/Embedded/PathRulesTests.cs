using Gating.ZooKeeper.Embedded;

namespace Gating.ZooKeeper.Tests.Embedded;

public sealed class PathRulesTests
{
    [Theory]
    [InlineData("/", false, true)]
    [InlineData("/a/b-c.d_e", false, true)]
    [InlineData("/a/.x", false, true)]
    [InlineData("/a/", true, true)]
    [InlineData("/a/", false, false)]
    [InlineData("a", false, false)]
    [InlineData("", false, false)]
    [InlineData("//a", false, false)]
    [InlineData("/a/..", false, false)]
    [InlineData("/a/./b", false, false)]
    [InlineData("/a\u0001", false, false)]
    [InlineData("/a\u0000b", false, false)]
    [InlineData("/\ud800x", false, false)]
    [InlineData("/", true, false)]
    public void Validates_paths_as_ZooKeeper_does(string path, bool sequential, bool valid) =>
        Assert.Equal(valid, PathRules.Problem(path, sequential) is null);

    [Theory]
    [InlineData("/a/b", "/a", "b")]
    [InlineData("/a", "/", "a")]
    public void Splits_parent_and_name(string path, string parent, string name)
    {
        Assert.Equal(parent, PathRules.Parent(path));
        Assert.Equal(name, PathRules.Name(path));
        Assert.Equal(path, PathRules.Child(parent, name));
    }

    [Fact]
    public void Maps_paths_through_a_chroot()
    {
        Assert.Equal("/app", PathRules.ToServer("/app", "/"));
        Assert.Equal("/app/x", PathRules.ToServer("/app", "/x"));
        Assert.Equal("/", PathRules.ToClient("/app", "/app"));
        Assert.Equal("/x", PathRules.ToClient("/app", "/app/x"));
        Assert.Equal("/x", PathRules.ToServer("", "/x"));
        Assert.Equal(["/a/b", "/a", "/"], PathRules.SelfAndAncestors("/a/b"));
    }
}

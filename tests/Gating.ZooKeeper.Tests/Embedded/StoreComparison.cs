using Gating.ZooKeeper.Embedded;

namespace Gating.ZooKeeper.Tests.Embedded;

/// <summary>Compares two committed states node by node (data, ACL, stat, children).</summary>
internal static class StoreComparison
{
    public static void AssertSameTree(DataState expected, DataState actual)
    {
        Assert.Equal(expected.Nodes.Keys.Order(StringComparer.Ordinal), actual.Nodes.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, node) in expected.Nodes)
        {
            var other = actual.Nodes[path];
            Assert.True(node.Data.AsSpan().SequenceEqual(other.Data), $"data of {path} differs");
            Assert.Equal(node.Acl.ToArray(), other.Acl.ToArray());
            Assert.Equal(node.ToStat(), other.ToStat());
            Assert.Equal(node.Children, other.Children);
            Assert.Equal(node.CreateCount, other.CreateCount);
        }
    }
}

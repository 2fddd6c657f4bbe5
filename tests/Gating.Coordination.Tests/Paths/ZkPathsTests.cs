namespace Gating.Coordination.Tests.Paths;

/// <summary>Pure checks of the path map.</summary>
public sealed class ZkPathsTests
{
    [Fact]
    public void Names_that_contain_slashes_become_one_segment()
    {
        Assert.Equal("/gating/locks/pipeline/tenant/check", ZkPaths.PipelineLock("tenant", "check"));
        Assert.Equal("/gating/config/cache/review.example.org%2Forg%2Frepo/stable%2F2.0", ZkPaths.ConfigCache("review.example.org/org/repo", "stable/2.0"));
        Assert.Equal("org/repo name", ZkPaths.Unquote(ZkPaths.Quote("org/repo name")));
        Assert.Equal("%2E%2E", ZkPaths.Quote(".."));
    }

    [Fact]
    public void The_map_follows_zuuls()
    {
        Assert.Equal("/gating/events/connection/gerrit/events", ZkPaths.ConnectionEvents("gerrit"));
        Assert.Equal("/gating/events/connection/gerrit/events/election", ZkPaths.ConnectionEventElection("gerrit"));
        Assert.Equal("/gating/events/tenant/t/trigger", ZkPaths.TenantTriggerEvents("t"));
        Assert.Equal("/gating/events/tenant/t/management", ZkPaths.TenantManagementEvents("t"));
        Assert.Equal("/gating/events/tenant/t/pipelines/gate/result", ZkPaths.PipelineResultEvents("t", "gate"));
        Assert.Equal("/gating/events/tenant/t/pipelines/gate/trigger", ZkPaths.PipelineTriggerEvents("t", "gate"));
        Assert.Equal("/gating/events/tenant/t/pipelines/gate/management", ZkPaths.PipelineManagementEvents("t", "gate"));
        Assert.Equal("/gating/tenant/t/pipeline/gate", ZkPaths.Pipeline("t", "gate"));
        Assert.Equal("/gating/tenant/t/pipeline/gate/item/i1/buildset/bs1", ZkPaths.BuildSet("t", "gate", "i1", "bs1"));
        Assert.Equal("/gating/tenant/t/pipeline/gate/item/i1/buildset/bs1/job/j1/build/b1",
            ZkPaths.Build(ZkPaths.FrozenJob(ZkPaths.BuildSet("t", "gate", "i1", "bs1"), "j1"), "b1"));
        Assert.Equal("/gating/executor/unzoned", ZkPaths.ExecutorQueue(null));
        Assert.Equal("/gating/executor/zones/eu", ZkPaths.ExecutorQueue("eu"));
        Assert.Equal("/gating/merger", ZkPaths.MergerQueue);
        Assert.Equal("/nodepool/requests/100-", ZkPaths.NodeRequestPrefix(100));
        Assert.Equal("/nodepool/requests-lock/100-0000000001", ZkPaths.NodeRequestLock("100-0000000001"));
        Assert.Equal("/nodepool/nodes/0000000007/lock", ZkPaths.NodeLock("0000000007"));
        Assert.Equal("/gating/semaphores/t/db", ZkPaths.Semaphore("t", "db"));
        Assert.Equal("/gating/layout/t", ZkPaths.LayoutState("t"));
        Assert.Equal("/gating/components/executor", ZkPaths.Components("executor"));
        Assert.Equal("/gating/ltime", ZkPaths.Ltime);
    }

    [Fact]
    public void Path_arithmetic()
    {
        Assert.Equal("/a", ZkPaths.Parent("/a/b"));
        Assert.Equal("/", ZkPaths.Parent("/a"));
        Assert.Equal("b", ZkPaths.Name("/a/b"));
        Assert.Equal("/a", ZkPaths.Join("/", "a"));
        Assert.Equal("/a/b", ZkPaths.Join("/a", "b"));
    }
}

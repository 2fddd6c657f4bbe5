namespace Gating.ZooKeeper.Tests.TestServers;

/// <summary>This assembly's share of the suite's ports 23100-23199 (Gating.ZooKeeper.Tests has 23100-23139 and 23150-23189).</summary>
public static partial class LoopbackPorts
{
    private const int RealFirst = 23140;
    private const int RealCount = 10;
    private const int FakeFirst = 23190;
    private const int FakeCount = 10;
}

namespace Gating.ZooKeeper.Tests.TestServers;

/// <summary>This assembly's share of the suite's ports 23100-23199 (Gating.Coordination.Tests has 23140-23149 and 23190-23199).</summary>
public static partial class LoopbackPorts
{
    private const int RealFirst = 23100;
    private const int RealCount = 40;
    private const int FakeFirst = 23150;
    private const int FakeCount = 40;
}

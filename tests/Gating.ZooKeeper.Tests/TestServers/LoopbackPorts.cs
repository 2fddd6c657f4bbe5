using System.Net;
using System.Net.Sockets;

namespace Gating.ZooKeeper.Tests.TestServers;

/// <summary>
/// Hands out a test assembly's loopback ports: each assembly that links this file declares its own ranges in a
/// <c>LoopbackPorts.Range.cs</c> (real servers it starts, in-process fakes), so assemblies running in parallel never
/// pick the same port. A port another process holds is skipped.
/// </summary>
public static partial class LoopbackPorts
{
    private static int s_real;
    private static int s_fake;

    /// <summary>A listener bound on a free fake-server port.</summary>
    public static TcpListener ListenForFake()
    {
        for (var attempt = 0; attempt < FakeCount; attempt++)
        {
            var port = FakeFirst + ((Interlocked.Increment(ref s_fake) - 1) % FakeCount);
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
                return listener;
            }
            catch (SocketException)
            {
                listener.Dispose();
            }
        }
        throw new InvalidOperationException($"no free port in {FakeFirst}-{FakeFirst + FakeCount - 1} for a fake ZooKeeper server");
    }

    /// <summary><paramref name="count"/> consecutive ports for real servers, checked free now.</summary>
    public static int[] ForRealServers(int count)
    {
        for (var attempt = 0; attempt < RealCount; attempt++)
        {
            var first = RealFirst + ((Interlocked.Add(ref s_real, count) - count) % (RealCount - count + 1));
            var ports = Enumerable.Range(first, count).ToArray();
            if (ports.All(IsFree))
            {
                return ports;
            }
        }
        throw new InvalidOperationException($"no {count} free ports in {RealFirst}-{RealFirst + RealCount - 1} for ZooKeeper test servers");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

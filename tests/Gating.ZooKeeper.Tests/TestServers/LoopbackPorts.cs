using System.Net;
using System.Net.Sockets;

namespace Gating.ZooKeeper.Tests.TestServers;

/// <summary>
/// Hands out this suite's loopback ports: 23100-23149 for real servers it starts, 23150-23199 for in-process fakes.
/// A port another process holds is skipped.
/// </summary>
public static class LoopbackPorts
{
    private static int s_real = 23100;
    private static int s_fake = 23150;

    /// <summary>A listener bound on a free fake-server port.</summary>
    public static TcpListener ListenForFake()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = 23150 + ((Interlocked.Increment(ref s_fake) - 23150) % 50);
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
        throw new InvalidOperationException("no free port in 23150-23199 for a fake ZooKeeper server");
    }

    /// <summary><paramref name="count"/> consecutive ports for real servers, checked free now.</summary>
    public static int[] ForRealServers(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var first = 23100 + ((Interlocked.Add(ref s_real, count) - count - 23100) % (50 - count));
            var ports = Enumerable.Range(first, count).ToArray();
            if (ports.All(IsFree))
            {
                return ports;
            }
        }
        throw new InvalidOperationException("no free ports in 23100-23149 for ZooKeeper test servers");
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

using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Gating.Nodepool.Providers.Local;

/// <summary>
/// Opens sockets inside a named network namespace (<c>ip netns add NAME</c>, bound at /var/run/netns/NAME). A
/// socket belongs to the namespace it was created in, so a short-lived thread switches into the namespace with
/// setns(2), creates the socket, and ends; the launcher's other threads never change namespace.
/// </summary>
internal static partial class NetworkNamespace
{
    private const int CloneNewNet = 0x40000000;

    /// <summary>The bind mount of a named namespace.</summary>
    public static string PathOf(string name) => $"/var/run/netns/{name}";

    /// <summary>A new, unconnected TCP/IPv4 socket that lives in the named namespace.</summary>
    public static Socket CreateTcpSocket(string name)
    {
        Socket? socket = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                socket = CreateOnThisThread(name);
            }
            catch (Exception e)
            {
                error = e;
            }
        })
        {
            IsBackground = true,
            Name = "netns " + name,
        };
        thread.Start();
        thread.Join();
        return socket ?? throw new IOException($"could not open a socket in network namespace {name}", error);
    }

    private static Socket CreateOnThisThread(string name)
    {
        using var home = File.OpenHandle("/proc/thread-self/ns/net");
        using var target = File.OpenHandle(PathOf(name));
        if (SetNs(target.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
        {
            throw new IOException($"setns into {name} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            return new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        }
        finally
        {
            // The thread ends right after; switching back keeps it clean should the runtime ever reuse it.
            _ = SetNs(home.DangerousGetHandle().ToInt32(), CloneNewNet);
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nsType);
}

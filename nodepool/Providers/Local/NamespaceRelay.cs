using System.Net;
using System.Net.Sockets;

namespace Gating.Nodepool.Providers.Local;

/// <summary>
/// The host-side endpoint of a local node: listens on a loopback port of the launcher's machine and relays every
/// connection to 127.0.0.1:<c>targetPort</c> inside the node's network namespace (where its sshd listens), so
/// ssh, ssh-keyscan and Ansible reach the node as an ordinary host:port, while the node has no network but its
/// own loopback.
/// </summary>
internal sealed class NamespaceRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly string _namespace;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    private NamespaceRelay(TcpListener listener, string ns, int targetPort)
    {
        _listener = listener;
        _namespace = ns;
        _targetPort = targetPort;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(_stop.Token));
    }

    /// <summary>The loopback port the relay listens on.</summary>
    public int Port { get; }

    /// <summary>
    /// Starts a relay on the first free port of [first, last], beginning at <paramref name="start"/> so that
    /// concurrent launches spread over the range.
    /// </summary>
    public static NamespaceRelay Start(string ns, int targetPort, int first, int last, int start)
    {
        var count = last - first + 1;
        for (var i = 0; i < count; i++)
        {
            var port = first + ((start - first + i) % count + count) % count;
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, false);
            try
            {
                listener.Start(backlog: 64);
                return new NamespaceRelay(listener, ns, targetPort);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                listener.Dispose();
            }
        }

        throw new ProviderQuotaException($"every loopback port {first}-{last} is in use");
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => RelayAsync(client, cancellationToken), CancellationToken.None);
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken cancellationToken)
    {
        using (client)
        {
            Socket inner;
            try
            {
                inner = NetworkNamespace.CreateTcpSocket(_namespace);
            }
            catch (IOException)
            {
                return; // the namespace is gone: the node is being deleted
            }

            using (inner)
            {
                try
                {
                    await inner.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), cancellationToken);
                    await Task.WhenAll(PumpAsync(client, inner, cancellationToken), PumpAsync(inner, client, cancellationToken));
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
                {
                    // One side went away; both sockets close below.
                }
            }
        }
    }

    // Copies one direction; at its end, half-closes the other side so the peer sees EOF as over a plain TCP link.
    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        while (true)
        {
            var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                to.Shutdown(SocketShutdown.Send);
                return;
            }

            var sent = 0;
            while (sent < read)
            {
                sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, cancellationToken);
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        _stop.Dispose();
    }
}

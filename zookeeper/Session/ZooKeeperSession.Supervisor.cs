using Gating.ZooKeeper.Protocol;
using Gating.ZooKeeper.Transport;

namespace Gating.ZooKeeper.Session;

internal sealed partial class ZooKeeperSession
{
    /// <summary>SetWatches2 packets are split so that none approaches a server's jute.maxbuffer.</summary>
    private const int SetWatchesBatchBytes = 128 * 1024;

    private async Task SuperviseAsync()
    {
        var cancellationToken = _stop.Token;
        while (true)
        {
            ZooKeeperConnection connection;
            try
            {
                connection = await _reconnect.ExecuteAsync(ConnectOnceAsync, cancellationToken);
            }
            catch (ZooKeeperException e) when (e.Code == ErrorCode.SessionExpired)
            {
                Expire();
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            lock (_lock)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    connection.Break(new ObjectDisposedException(nameof(ZooKeeperClient), "the client was closed"));
                    return;
                }
                _connection = connection;
            }
            SetState(SessionState.Connected);
            // Through the event loop, so that ConnectAsync returns after the first Connected event was raised: a
            // handler added afterwards sees only later changes.
            Events.Post(() => _firstConnect.TrySetResult());
            var reason = await connection.Broken;
            await connection.DisposeAsync();
            if (cancellationToken.IsCancellationRequested || Volatile.Read(ref _closing))
            {
                return;
            }
            Log.ConnectionBroken(_logger, connection.Endpoint, reason);
            _disconnectedAt = TimeProvider.GetTimestamp();
            SetState(SessionState.Reconnecting);
        }
    }

    private async ValueTask<ZooKeeperConnection> ConnectOnceAsync(CancellationToken cancellationToken)
    {
        var negotiated = NegotiatedTimeout;
        if (_state == SessionState.Reconnecting && TimeProvider.GetElapsedTime(_disconnectedAt) >= negotiated)
        {
            // As Curator does: with no server reachable the client cannot hear of the expiry, but after a full session
            // timeout without a connection the session is gone (or about to be) and its ephemerals with it.
            throw new ZooKeeperException(ErrorCode.SessionExpired, null,
                $"ZooKeeper session 0x{SessionId:x} could not be re-attached within its timeout of {negotiated.TotalMilliseconds:0} ms");
        }
        var host = _hosts[_nextHost++ % _hosts.Count];
        var connectTimeout = _options.AttemptTimeout(_hosts.Count);
        var request = new ConnectRequest(0, Interlocked.Read(ref _lastZxid), (int)_options.SessionTimeout.TotalMilliseconds,
            SessionId, _password, ReadOnly: false);
        ZooKeeperConnection connection;
        ConnectResponse response;
        try
        {
            (connection, response) = await ZooKeeperConnection.OpenAsync(host, request, connectTimeout, this,
                _options.MaxFrameLength, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _lastConnectError = e;
            Log.ConnectFailed(_logger, $"{host.Host}:{host.Port}", e);
            throw;
        }
        if (response.TimeoutMilliseconds <= 0)
        {
            await connection.DisposeAsync();
            throw new ZooKeeperException(ErrorCode.SessionExpired, null,
                $"ZooKeeper server {connection.Endpoint} says session 0x{SessionId:x} has expired");
        }
        Interlocked.Exchange(ref _sessionId, response.SessionId);
        Volatile.Write(ref _password, response.Password);
        Volatile.Write(ref _negotiatedTimeoutMs, response.TimeoutMilliseconds);
        var prime = BuildPrime(out var replayedAuths);
        connection.Start(TimeSpan.FromMilliseconds(response.TimeoutMilliseconds), prime, replayedAuths);
        Log.Connected(_logger, response.SessionId, connection.Endpoint, response.TimeoutMilliseconds);
        return connection;
    }

    /// <summary>
    /// What a re-attached session sends before any request: its credentials again (the server forgets them with
    /// the connection), then every watch it holds with the last zxid it saw, so the server fires at once for
    /// changes made while it was away.
    /// </summary>
    private ReadOnlyMemory<byte> BuildPrime(out int replayedAuths)
    {
        var writer = new JuteWriter(256);
        lock (_lock)
        {
            foreach (var (scheme, auth) in _auths)
            {
                var start = writer.BeginFrame();
                new RequestHeader(Xids.Auth, OpCode.Auth).Write(writer);
                Requests.WriteAuth(writer, scheme, auth);
                writer.EndFrame(start);
            }
            replayedAuths = _auths.Count;
        }
        var watches = Watches.Snapshot();
        if (!watches.IsEmpty)
        {
            var zxid = Interlocked.Read(ref _lastZxid);
            foreach (var batch in Split(watches))
            {
                var start = writer.BeginFrame();
                new RequestHeader(Xids.SetWatches, OpCode.SetWatches2).Write(writer);
                Requests.WriteSetWatches2(writer, zxid, batch);
                writer.EndFrame(start);
            }
        }
        return writer.Written;
    }

    private static IEnumerable<WatchSnapshot> Split(WatchSnapshot watches)
    {
        var lists = new[] { watches.Data, watches.Exist, watches.Child, watches.Persistent, watches.PersistentRecursive };
        var batch = lists.Select(_ => new List<string>()).ToArray();
        var bytes = 0;
        for (var kind = 0; kind < lists.Length; kind++)
        {
            foreach (var path in lists[kind])
            {
                if (bytes > 0 && bytes + path.Length + 4 > SetWatchesBatchBytes)
                {
                    yield return new WatchSnapshot(batch[0], batch[1], batch[2], batch[3], batch[4]);
                    batch = lists.Select(_ => new List<string>()).ToArray();
                    bytes = 0;
                }
                batch[kind].Add(path);
                bytes += System.Text.Encoding.UTF8.GetByteCount(path) + 4;
            }
        }
        yield return new WatchSnapshot(batch[0], batch[1], batch[2], batch[3], batch[4]);
    }

    private void Expire()
    {
        Log.Expired(_logger, SessionId);
        SetState(SessionState.Expired);
        Watches.Clear();
        FailQueued(TerminalError(null));
        _firstConnect.TrySetException(TerminalError(null));
    }

    /// <summary>Closes the session on the server (closeSession) when connected, then stops everything.</summary>
    public async ValueTask DisposeAsync()
    {
        bool connected;
        lock (_lock)
        {
            if (_closing)
            {
                return;
            }
            _closing = true;
            connected = _state == SessionState.Connected;
        }
        if (connected)
        {
            var close = new Call<bool>(OpCode.CloseSession, null, _ => { }, static (in ReplyHeader _, ref JuteReader _) => true);
            try
            {
                // Bounded: a server that does not answer must not hold up the close; the session then times out.
                await SubmitCoreAsync(close, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2), TimeProvider);
            }
#pragma warning disable CA1031 // closing is best effort: the connection may already be gone
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
        await _stop.CancelAsync();
        ZooKeeperConnection? connection;
        lock (_lock)
        {
            connection = _connection;
        }
        // Calls still in flight fail as closed (IsClosing), not as a retryable connection loss: no reconnect follows.
        connection?.Break(new ObjectDisposedException(nameof(ZooKeeperClient), "the client was closed"));
        await _supervisor;
        SetState(SessionState.Closed);
        FailQueued(TerminalError(null));
        _firstConnect.TrySetException(TerminalError(null));
        _ = _firstConnect.Task.Exception; // observed: nobody may be waiting for it any more
        await Events.DisposeAsync();
        _stop.Dispose();
    }
}

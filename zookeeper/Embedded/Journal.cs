using System.Buffers;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Microsoft.Extensions.Logging;

namespace Gating.ZooKeeper.Embedded;

/// <summary>
/// The write-ahead journal: files <c>journal.&lt;first zxid&gt;</c> of checksummed transaction records, appended and
/// flushed (fsync) once per batch by the writer loop. Every <c>snapshotEvery</c> transactions it starts a new file
/// and writes a snapshot of the committed state in the background; once that snapshot is durable, older files go.
/// </summary>
internal sealed partial class Journal : IDisposable
{
    private const string JournalPrefix = "journal.";
    private const string SnapshotPrefix = "snapshot.";

    private readonly string _directory;
    private readonly int _snapshotEvery;
    private readonly ILogger _logger;
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 16);
    private SafeFileHandle _file;
    private long _offset;
    private int _sinceSnapshot;
    private Task _snapshot = Task.CompletedTask;
    private long _flushes;

    private Journal(string directory, int snapshotEvery, ILogger logger, long nextZxid)
    {
        _directory = directory;
        _snapshotEvery = snapshotEvery;
        _logger = logger;
        _file = CreateFile(nextZxid);
    }

    /// <summary>How many times the journal was flushed to disk (one per group commit).</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

    public bool ShouldSnapshot => _sinceSnapshot >= _snapshotEvery && _snapshot.IsCompleted;

    /// <summary>Writes the batch's records and flushes them to disk; only then may the writes be acknowledged.</summary>
    public void Append(IReadOnlyList<Txn> txns)
    {
        _buffer.ResetWrittenCount();
        foreach (var txn in txns)
        {
            TxnCodec.WriteRecord(_buffer, txn);
        }
        RandomAccess.Write(_file, _buffer.WrittenSpan, _offset);
        RandomAccess.FlushToDisk(_file);
        Interlocked.Increment(ref _flushes);
        _offset += _buffer.WrittenCount;
        _sinceSnapshot += txns.Count;
    }

    /// <summary>Starts a new journal file, then snapshots <paramref name="state"/> in the background.</summary>
    public void StartSnapshot(DataState state)
    {
        _file.Dispose();
        _file = CreateFile(state.LastZxid + 1);
        _offset = 0;
        _sinceSnapshot = 0;
        _snapshot = Task.Run(() =>
        {
            try
            {
                SnapshotFile.Write(_directory, state);
                DeleteBefore(state.LastZxid);
                LogSnapshot(state.LastZxid, state.Nodes.Count);
            }
            catch (IOException e)
            {
                // The journal still holds everything; the next snapshot will try again.
                LogSnapshotFailed(e);
            }
        });
    }

    /// <summary>
    /// Recovers the state of <paramref name="directory"/>: the newest whole snapshot, then every journal record after
    /// it, in zxid order. A torn record at the end of the last journal file is cut off; damage anywhere else is an
    /// error, since acknowledged writes would be lost.
    /// </summary>
    public static async Task<(Journal, DataState)> OpenAsync(string directory, int snapshotEvery, ILogger logger, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        foreach (var stale in Directory.GetFiles(directory, "*.tmp"))
        {
            File.Delete(stale);
        }
        var state = DataState.Empty;
        foreach (var file in Files(directory, SnapshotPrefix).OrderByDescending(f => f.Zxid))
        {
            if (SnapshotFile.TryRead(file.Path) is { } loaded)
            {
                state = loaded;
                break;
            }
            LogDamagedSnapshot(logger, file.Path);
        }
        if (state.LastZxid == 0)
        {
            state = WithSystemNodes(state);
        }
        var journals = Files(directory, JournalPrefix).OrderBy(f => f.Zxid).ToList();
        var replayed = 0;
        for (var i = 0; i < journals.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var bytes = await File.ReadAllBytesAsync(journals[i].Path, cancellationToken);
            var (after, count, validLength) = Replay(state, bytes);
            state = after;
            replayed += count;
            if (validLength < bytes.Length)
            {
                if (i != journals.Count - 1)
                {
                    throw new InvalidDataException($"journal {journals[i].Path} is damaged at byte {validLength} and is not the last one");
                }
                LogTornTail(logger, journals[i].Path, bytes.Length - validLength);
                using var handle = File.OpenHandle(journals[i].Path, FileMode.Open, FileAccess.Write);
                RandomAccess.SetLength(handle, validLength);
                RandomAccess.FlushToDisk(handle);
            }
        }
        LogRecovered(logger, directory, state.LastZxid, replayed, state.Sessions.Count);
        var journal = new Journal(directory, snapshotEvery, logger, state.LastZxid + 1) { _sinceSnapshot = replayed };
        return (journal, state);
    }

    private static (DataState State, int Count, int ValidLength) Replay(DataState state, byte[] bytes)
    {
        var nodes = state.Nodes.ToBuilder();
        var sessions = state.Sessions.ToBuilder();
        var store = new BuilderNodeStore(nodes);
        var zxid = state.LastZxid;
        var offset = 0;
        var count = 0;
        while (TxnCodec.TryReadRecord(bytes, offset, out var txn, out var next))
        {
            if (txn!.Zxid <= zxid)
            {
                offset = next; // already in the snapshot
                continue;
            }
            if (txn.Zxid != zxid + 1)
            {
                throw new InvalidDataException($"journal skips from zxid {zxid} to {txn.Zxid}");
            }
            foreach (var op in txn.Ops)
            {
                TxnApplier.Apply(store, txn.Zxid, txn.Time, op);
                TxnApplier.ApplySession(sessions, op);
            }
            zxid = txn.Zxid;
            offset = next;
            count++;
        }
        return (new DataState(nodes.ToImmutable(), sessions.ToImmutable(), zxid), count, offset);
    }

    /// <summary>ZooKeeper's own nodes, present on every server: /zookeeper, /zookeeper/quota, /zookeeper/config.</summary>
    internal static DataState WithSystemNodes(DataState state)
    {
        var nodes = state.Nodes.ToBuilder();
        var store = new BuilderNodeStore(nodes);
        TxnApplier.Apply(store, 0, 0, new TxnOp.CreateNode("/zookeeper", [], [.. Acl.OpenUnsafe], 0));
        TxnApplier.Apply(store, 0, 0, new TxnOp.CreateNode("/zookeeper/quota", [], [.. Acl.OpenUnsafe], 0));
        TxnApplier.Apply(store, 0, 0, new TxnOp.CreateNode("/zookeeper/config", [], [.. Acl.ReadUnsafe], 0));
        // ZooKeeper builds these outside any transaction: the root's counters stay as on a fresh server.
        nodes["/"] = nodes["/"] with { CreateCount = 0, Pzxid = 0 };
        nodes["/zookeeper"] = nodes["/zookeeper"] with { CreateCount = 0 };
        return state with { Nodes = nodes.ToImmutable() };
    }

    private SafeFileHandle CreateFile(long firstZxid)
    {
        var handle = File.OpenHandle(Path.Combine(_directory, JournalPrefix + firstZxid.ToString("x16", CultureInfo.InvariantCulture)),
            FileMode.Create, FileAccess.Write, FileShare.Read);
        DirectorySync.Flush(_directory);
        return handle;
    }

    /// <summary>After a snapshot at <paramref name="zxid"/> is durable: older snapshots and journals that hold only
    /// transactions up to it are not needed any more.</summary>
    private void DeleteBefore(long zxid)
    {
        foreach (var snapshot in Files(_directory, SnapshotPrefix).Where(f => f.Zxid < zxid))
        {
            File.Delete(snapshot.Path);
        }
        var journals = Files(_directory, JournalPrefix).OrderBy(f => f.Zxid).ToList();
        for (var i = 0; i + 1 < journals.Count; i++)
        {
            if (journals[i + 1].Zxid <= zxid + 1)
            {
                File.Delete(journals[i].Path);
            }
        }
    }

    private static IEnumerable<(string Path, long Zxid)> Files(string directory, string prefix) =>
        Directory.GetFiles(directory, prefix + "*")
            .Select(path => (Path: path, Name: System.IO.Path.GetFileName(path)))
            .Where(f => f.Name.Length == prefix.Length + 16)
            .Select(f => (f.Path, Zxid: long.Parse(f.Name.AsSpan(prefix.Length), NumberStyles.HexNumber, CultureInfo.InvariantCulture)));

    public void Dispose()
    {
        _snapshot.Wait();
        _file.Dispose();
    }

    [LoggerMessage(EventId = 3110, Level = LogLevel.Information, Message = "Recovered {Directory} at zxid {Zxid}: {Replayed} journal transactions replayed, {Sessions} sessions")]
    private static partial void LogRecovered(ILogger logger, string directory, long zxid, int replayed, int sessions);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Warning, Message = "Discarded a torn tail of {Bytes} bytes at the end of {File}")]
    private static partial void LogTornTail(ILogger logger, string file, int bytes);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Warning, Message = "Snapshot {File} is damaged; trying an older one")]
    private static partial void LogDamagedSnapshot(ILogger logger, string file);

    [LoggerMessage(EventId = 3113, Level = LogLevel.Information, Message = "Snapshot at zxid {Zxid} written ({Nodes} nodes)")]
    private partial void LogSnapshot(long zxid, int nodes);

    [LoggerMessage(EventId = 3114, Level = LogLevel.Error, Message = "Snapshot failed; the journal keeps every transaction")]
    private partial void LogSnapshotFailed(Exception exception);
}

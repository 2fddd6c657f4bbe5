using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;

namespace Gating.Executor.Logs;

/// <summary>
/// The job-output.txt of every build this executor ran or runs, followable while it grows: the web API's console
/// stream and <c>gating logs -f</c> read it through <see cref="FollowAsync"/>.
/// </summary>
public sealed class BuildLogs
{
    private readonly ConcurrentDictionary<string, Entry> _builds = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _pollInterval;

    /// <summary>Creates the registry; a follower at the end of a running build's log looks again every <paramref name="pollInterval"/>.</summary>
    public BuildLogs(TimeProvider time, TimeSpan? pollInterval = null)
    {
        _time = time;
        _pollInterval = pollInterval ?? TimeSpan.FromMilliseconds(50);
    }

    /// <summary>Registers a build's log file as it is being written.</summary>
    public void Started(string buildId, string logFile) => _builds[buildId] = new Entry(logFile);

    /// <summary>Marks the build finished; its log now lives at <paramref name="finalLogFile"/>.</summary>
    public void Finished(string buildId, string finalLogFile)
    {
        if (_builds.TryGetValue(buildId, out var entry))
        {
            entry.Path = finalLogFile;
            entry.Done.TrySetResult();
        }
        else
        {
            var done = new Entry(finalLogFile);
            done.Done.TrySetResult();
            _builds[buildId] = done;
        }
    }

    /// <summary>True when the executor knows the build.</summary>
    public bool Knows(string buildId) => _builds.ContainsKey(buildId);

    /// <summary>
    /// The build's log lines from the start: what is written so far, then every new line as it is written, until the
    /// build finishes.
    /// </summary>
    public async IAsyncEnumerable<string> FollowAsync(string buildId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!_builds.TryGetValue(buildId, out var entry))
        {
            throw new KeyNotFoundException($"Build {buildId} is not known to this executor");
        }
        while (!File.Exists(entry.Path) && !entry.Done.Task.IsCompleted)
        {
            await Task.Delay(_pollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
        if (!File.Exists(entry.Path))
        {
            yield break;
        }
        // The handle stays valid when the file is moved to the log store at the end of the build.
        await using var stream = new FileStream(entry.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var partial = new StringBuilder();
        while (true)
        {
            var finished = entry.Done.Task.IsCompleted;
            string? chunk;
            var any = false;
            var buffer = new char[8192];
            int read;
            while ((read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                any = true;
                partial.Append(buffer, 0, read);
            }
            var text = partial.ToString();
            var lastNewline = text.LastIndexOf('\n');
            if (lastNewline >= 0)
            {
                chunk = text[..lastNewline];
                partial.Clear().Append(text[(lastNewline + 1)..]);
                foreach (var line in chunk.Split('\n'))
                {
                    yield return line;
                }
            }
            if (finished && !any)
            {
                if (partial.Length > 0)
                {
                    yield return partial.ToString();
                }
                yield break;
            }
            if (!any)
            {
                await Task.WhenAny(Task.Delay(_pollInterval, _time, cancellationToken), entry.Done.Task).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    private sealed class Entry(string path)
    {
        public string Path { get; set; } = path;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

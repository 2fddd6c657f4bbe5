using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Gating.ZooKeeper;

/// <summary>What one client measured for one operation.</summary>
internal sealed class Measurement
{
    public List<double> Latencies { get; } = [];

    public double PipelinedSeconds { get; set; }

    public int PipelinedOps { get; set; }

    public double P50 => Percentile(0.50);

    public double P99 => Percentile(0.99);

    public double OpsPerSecond => PipelinedOps / PipelinedSeconds;

    private double Percentile(double p)
    {
        var sorted = Latencies.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
    }
}

/// <summary>One client under test: sequential calls on ROOT/l&lt;i&gt;, pipelined bursts on ROOT/t&lt;i&gt;.</summary>
internal interface IWorkload
{
    string Name { get; }

    Task WarmUpAsync();

    Task<IReadOnlyList<double>> LatencyAsync(string op, int start, int count);

    Task<double> PipelinedAsync(string op, int start, int count);
}

internal sealed class GatingWorkload : IWorkload
{
    private static readonly byte[] Value = new byte[1024];
    private readonly ZooKeeperClient _zk;
    private readonly string _root;

    private GatingWorkload(ZooKeeperClient zk, string root)
    {
        _zk = zk;
        _root = root;
    }

    public string Name => "gating";

    public static async Task<GatingWorkload> StartAsync(ZooKeeperClient zk, string root)
    {
        await zk.CreateAsync(root, default, CreateOptions.Persistent, CancellationToken.None);
        return new GatingWorkload(zk, root);
    }

    public async Task WarmUpAsync()
    {
        for (var i = 0; i < 300; i++)
        {
            await Call("create", $"{_root}/w{i}");
            await Call("getData", $"{_root}/w{i}");
            await Call("setData", $"{_root}/w{i}");
        }
    }

    public async Task<IReadOnlyList<double>> LatencyAsync(string op, int start, int count)
    {
        var samples = new double[count];
        for (var i = 0; i < count; i++)
        {
            var begin = Stopwatch.GetTimestamp();
            await Call(op, $"{_root}/l{start + i}");
            samples[i] = Stopwatch.GetElapsedTime(begin).TotalMicroseconds;
        }
        return samples;
    }

    public async Task<double> PipelinedAsync(string op, int start, int count)
    {
        var clock = Stopwatch.StartNew();
        var pending = new Task[count];
        for (var i = 0; i < count; i++)
        {
            pending[i] = Call(op, $"{_root}/t{start + i}");
        }
        await Task.WhenAll(pending);
        return clock.Elapsed.TotalSeconds;
    }

    private Task Call(string op, string path) => op switch
    {
        "create" => _zk.CreateAsync(path, Value, CreateOptions.Persistent, CancellationToken.None),
        "getData" => _zk.GetDataAsync(path, null, CancellationToken.None),
        _ => _zk.SetDataAsync(path, Value, -1, CancellationToken.None),
    };
}

/// <summary>kazoo_bench.py, driven one command a line.</summary>
internal sealed class KazooWorkload : IWorkload, IAsyncDisposable
{
    private readonly Process _python;

    private KazooWorkload(Process python)
    {
        _python = python;
    }

    public string Name => "kazoo";

    public static KazooWorkload Start(string server, string root)
    {
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "kazoo_bench.py"), server, root })
        {
            start.ArgumentList.Add(argument);
        }
        return new KazooWorkload(Process.Start(start) ?? throw new InvalidOperationException("could not start /usr/bin/python3"));
    }

    public async Task WarmUpAsync()
    {
        await CommandAsync("lat create 1000000 300");
        await CommandAsync("lat getData 1000000 300");
        await CommandAsync("lat setData 1000000 300");
    }

    public async Task<IReadOnlyList<double>> LatencyAsync(string op, int start, int count)
    {
        using var answer = await CommandAsync(string.Create(CultureInfo.InvariantCulture, $"lat {op} {start} {count}"));
        return [.. answer.RootElement.EnumerateArray().Select(e => e.GetDouble())];
    }

    public async Task<double> PipelinedAsync(string op, int start, int count)
    {
        using var answer = await CommandAsync(string.Create(CultureInfo.InvariantCulture, $"pipe {op} {start} {count}"));
        return answer.RootElement.GetDouble();
    }

    public async ValueTask DisposeAsync()
    {
        await _python.StandardInput.WriteLineAsync("quit");
        await _python.StandardInput.FlushAsync();
        await _python.WaitForExitAsync();
        _python.Dispose();
    }

    private async Task<JsonDocument> CommandAsync(string command)
    {
        await _python.StandardInput.WriteLineAsync(command);
        await _python.StandardInput.FlushAsync();
        var line = await _python.StandardOutput.ReadLineAsync()
                   ?? throw new InvalidOperationException($"kazoo_bench.py exited (code {(_python.HasExited ? _python.ExitCode : 0)}); is python3-kazoo installed?");
        return JsonDocument.Parse(line);
    }
}

internal static class Cleanup
{
    /// <summary>Deletes a subtree, children first, pipelining each level.</summary>
    public static async Task DeleteTreeAsync(ZooKeeperClient zk, string path)
    {
        var children = (await zk.GetChildrenAsync(path, null, CancellationToken.None)).Children;
        await Task.WhenAll(children.Select(child => DeleteTreeAsync(zk, $"{path}/{child}")));
        await zk.DeleteAsync(path, -1, CancellationToken.None);
    }
}

using System.Diagnostics;
using System.Globalization;
using Gating.Config.Freezing;
using Gating.Config.Tests.Layout;

// Freezes nova's whole check job graph (openstack tenant of the corpus, stubbed base job and nodesets) many
// times in process and prints the median after a warm-up. Usage: FreezeBench [iterations] [corpus folder].
var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
if (args.Length > 1)
{
    Environment.SetEnvironmentVariable("GATING_CORPUS", args[1]);
}
var stubs = Directory.CreateTempSubdirectory("gating-freezebench-");
try
{
    var loadClock = Stopwatch.StartNew();
    var layout = FreezeLayout.From(CorpusStub.Load(CorpusStub.CorpusRoot(), stubs.FullName));
    loadClock.Stop();
    var freezer = new JobFreezer(layout);
    var request = new FreezeRequest("openstack/nova", "master", "check");

    var first = Stopwatch.StartNew();
    var result = freezer.FreezeJobGraph(request);
    first.Stop();
    for (var i = 0; i < 200; i++)
    {
        freezer.FreezeJobGraph(request);
    }

    var samples = new double[iterations];
    var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
    for (var i = 0; i < iterations; i++)
    {
        var clock = Stopwatch.StartNew();
        freezer.FreezeJobGraph(request);
        samples[i] = clock.Elapsed.TotalMilliseconds;
    }
    var allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)iterations;
    Array.Sort(samples);
    double P(double q) => samples[(int)Math.Min(samples.Length - 1, Math.Floor(q * samples.Length))];

    var inv = CultureInfo.InvariantCulture;
    Console.WriteLine(string.Create(inv, $"corpus load (2 loads, stubs): {loadClock.Elapsed.TotalMilliseconds:F0} ms"));
    Console.WriteLine(string.Create(inv, $"nova check graph: {result.Graph.Jobs.Length} jobs, {result.Errors.Length} errors (corpus gaps), {result.Debug.Length} notes"));
    Console.WriteLine(string.Create(inv, $"first freeze (cold): {first.Elapsed.TotalMilliseconds:F2} ms"));
    Console.WriteLine(string.Create(inv, $"freeze nova check job graph: median {P(0.5):F3} ms, p90 {P(0.9):F3} ms, min {samples[0]:F3} ms over {iterations} runs; {allocated / 1024:F0} KiB allocated per run"));
    Console.WriteLine(P(0.5) < 3.0 ? "target < 3 ms: met" : string.Create(inv, $"target < 3 ms: MISSED by {P(0.5) - 3.0:F3} ms"));
}
finally
{
    stubs.Delete(recursive: true);
}

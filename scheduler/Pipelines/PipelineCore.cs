using Gating.Model;
using Gating.Model.Events;

namespace Gating.Scheduler.Pipelines;

/// <summary>
/// The pipeline managers as one pure function: <c>(context, state, event, now) -> (state, actions)</c>. No I/O,
/// no clock and no threads: time is <paramref name="now"/>, everything else comes from the context and the event.
/// After applying the event the queue processor (reference §3.4) runs until a pass changes nothing.
/// </summary>
public static class PipelineCore
{
    /// <summary>Apply one event and process the queues until they are quiet.</summary>
    public static PipelineResult Handle(PipelineContext context, PipelineState state, PipelineEvent evt, DateTimeOffset now)
    {
        var run = new PipelineRun(context, state, now);
        run.Apply(evt);
        run.ProcessUntilQuiet();
        return run.Finish();
    }

    /// <summary>
    /// Apply a batch of events in order, then process the queues once until quiet: how the runtime drains a
    /// pipeline's management, trigger and result queues before running the queue processor (reference §3.1).
    /// </summary>
    public static PipelineResult HandleAll(PipelineContext context, PipelineState state, IEnumerable<PipelineEvent> events, DateTimeOffset now)
    {
        var run = new PipelineRun(context, state, now);
        foreach (var evt in events)
        {
            run.Apply(evt);
        }
        run.ProcessUntilQuiet();
        return run.Finish();
    }

    /// <summary>Run the queue processor without an event (e.g. after a layout change or a semaphore release elsewhere).</summary>
    public static PipelineResult Process(PipelineContext context, PipelineState state, DateTimeOffset now)
    {
        var run = new PipelineRun(context, state, now);
        run.ProcessUntilQuiet();
        return run.Finish();
    }
}

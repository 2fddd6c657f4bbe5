namespace Gating.Executor.Build;

/// <summary>
/// Timestamps for lines the executor itself adds to job-output.txt. They must match the callback's local wall-clock
/// stamps in the same file, so they come from the system clock (never used for decisions).
/// </summary>
internal static class LogClock
{
    public static string Stamp() => TimeProvider.System.GetLocalNow().ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture);
}

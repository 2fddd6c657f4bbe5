using Gating.Model;

namespace Gating.Scheduler.Pipelines;

/// <summary>The window arithmetic of reference §3.9, as pure functions.</summary>
public static class WindowMath
{
    /// <summary>Whether the item at <paramref name="index"/> (0 = head) may run jobs.</summary>
    public static bool IsActionable(int window, int index) => window == 0 || index < window;

    /// <summary>The window after an item merged.</summary>
    public static int Increase(int window, WindowSettings s)
    {
        if (window == 0)
        {
            return 0;
        }
        var grown = s.IncreaseType switch
        {
            WindowType.Linear => window + s.IncreaseFactor,
            WindowType.Exponential => window * s.IncreaseFactor,
            _ => window,
        };
        return s.Ceiling is { } ceiling ? Math.Min(ceiling, grown) : grown;
    }

    /// <summary>The window after an item failed.</summary>
    public static int Decrease(int window, WindowSettings s)
    {
        if (window == 0)
        {
            return 0;
        }
        return s.DecreaseType switch
        {
            WindowType.Linear => Math.Max(s.Floor, window - s.DecreaseFactor),
            WindowType.Exponential => Math.Max(s.Floor, window / Math.Max(1, s.DecreaseFactor)),
            _ => window,
        };
    }
}

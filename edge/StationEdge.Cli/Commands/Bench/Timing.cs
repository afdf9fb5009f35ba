using System.Diagnostics;

namespace StationEdge.Cli.Commands.Bench;

/// <summary>Median and 95th percentile of one measured stage, in milliseconds.</summary>
internal sealed record Figure(double Median, double P95, int Samples);

/// <summary>
/// Durations of one stage, recorded into an array sized up front so the measuring loop itself allocates nothing.
/// Percentiles interpolate linearly between ranks (numpy's default).
/// </summary>
internal sealed class Samples(int capacity)
{
    private readonly double[] _ms = new double[capacity];
    private int _count;

    public int Count => _count;

    /// <summary>Records the time since <paramref name="startTimestamp"/> (from <see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void Stop(long startTimestamp)
    {
        var end = Stopwatch.GetTimestamp();
        _ms[_count++] = (end - startTimestamp) * 1000.0 / Stopwatch.Frequency;
    }

    public Figure ToFigure()
    {
        if (_count == 0)
        {
            throw new InvalidOperationException("no samples were recorded");
        }

        var sorted = _ms.AsSpan(0, _count).ToArray();
        Array.Sort(sorted);
        return new Figure(Round(Percentile(sorted, 0.5)), Round(Percentile(sorted, 0.95)), _count);
    }

    public static double Percentile(double[] sorted, double p)
    {
        var rank = p * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((rank - lo) * (sorted[hi] - sorted[lo]));
    }

    public static double Round(double ms) => Math.Round(ms, 3);

    /// <summary>
    /// Calls <paramref name="action"/> at least three times and for at least 0.3 s: long enough for the JIT to
    /// replace the first, unoptimised code of a hot loop (tier 0) with the optimised code a station runs.
    /// </summary>
    public static void WarmUp(Action action)
    {
        var until = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 3 / 10);
        for (var i = 0; i < 3 || Stopwatch.GetTimestamp() < until; i++)
        {
            action();
        }
    }

    /// <summary>Between stages, so one stage's garbage is not collected on another's clock.</summary>
    public static void SettleGarbage()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}

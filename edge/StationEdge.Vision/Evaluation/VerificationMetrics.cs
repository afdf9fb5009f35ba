namespace StationEdge.Vision.Evaluation;

public sealed record ScoreSummary(int Count, double Min, double Median, double Max);

/// <summary>An operating point: accept when score ≥ Threshold.</summary>
public sealed record OperatingPoint(double TargetFar, double Threshold, double Tar, double Far, bool Coarse);

public sealed record VerificationReport(
    double Auc,
    double Eer,
    double EerThreshold,
    IReadOnlyList<OperatingPoint> Points,
    ScoreSummary Same,
    ScoreSummary Different);

/// <summary>
/// 1:1 verification figures from genuine (same person) and impostor (different people) similarity scores.
/// Accept means score ≥ threshold throughout.
/// </summary>
public static class VerificationMetrics
{
    public static readonly double[] StandardFars = [0.01, 0.001];

    public static VerificationReport Compute(IReadOnlyList<double> genuine, IReadOnlyList<double> impostor, IReadOnlyList<double>? targetFars = null)
    {
        if (genuine.Count == 0 || impostor.Count == 0)
        {
            throw new ArgumentException(
                $"need both same-person and different-person pairs (have {genuine.Count} and {impostor.Count})");
        }

        var g = genuine.Order().ToArray();
        var i = impostor.Order().ToArray();
        var (eer, eerThreshold) = EqualErrorRate(g, i);
        return new VerificationReport(
            Auc(g, i),
            eer,
            eerThreshold,
            (targetFars ?? StandardFars).Select(far => AtFar(g, i, far)).ToList(),
            Summarize(g),
            Summarize(i));
    }

    /// <summary>The shares of genuine (TAR) and impostor (FAR) scores accepted, score ≥ threshold, at one threshold.</summary>
    public static (double Tar, double Far) RatesAt(IReadOnlyList<double> genuine, IReadOnlyList<double> impostor, double threshold) =>
        (genuine.Count(s => s >= threshold) / (double)genuine.Count, impostor.Count(s => s >= threshold) / (double)impostor.Count);

    /// <summary>Probability that a random genuine score beats a random impostor score, ties counting half (Mann–Whitney).</summary>
    internal static double Auc(double[] sortedGenuine, double[] sortedImpostor)
    {
        double wins = 0;
        int lo = 0, hi = 0;
        foreach (var s in sortedGenuine)
        {
            while (lo < sortedImpostor.Length && sortedImpostor[lo] < s)
            {
                lo++;
            }

            hi = Math.Max(hi, lo);
            while (hi < sortedImpostor.Length && sortedImpostor[hi] <= s)
            {
                hi++;
            }

            wins += lo + (0.5 * (hi - lo));
        }

        return wins / ((double)sortedGenuine.Length * sortedImpostor.Length);
    }

    /// <summary>
    /// The lowest threshold whose false accept rate is at most the target, and the genuine accept rate there.
    /// With fewer than 1/FAR impostor pairs the point is coarse: it can only mean "no impostor accepted".
    /// </summary>
    internal static OperatingPoint AtFar(double[] sortedGenuine, double[] sortedImpostor, double targetFar)
    {
        var n = sortedImpostor.Length;
        var allowed = (int)Math.Floor(targetFar * n);
        double threshold = allowed >= n
            ? Math.Min(sortedGenuine[0], sortedImpostor[0])
            : Math.BitIncrement(sortedImpostor[n - 1 - allowed]);
        var far = CountAtLeast(sortedImpostor, threshold) / (double)n;
        var tar = CountAtLeast(sortedGenuine, threshold) / (double)sortedGenuine.Length;
        return new OperatingPoint(targetFar, threshold, tar, far, Coarse: targetFar * n < 1);
    }

    /// <summary>Where the false accept and false reject rates cross, averaged at the closest threshold.</summary>
    internal static (double Eer, double Threshold) EqualErrorRate(double[] sortedGenuine, double[] sortedImpostor)
    {
        var best = (Gap: double.MaxValue, Eer: 1.0, Threshold: 0.0);
        foreach (var t in sortedGenuine.Concat(sortedImpostor).Distinct())
        {
            var far = CountAtLeast(sortedImpostor, t) / (double)sortedImpostor.Length;
            var frr = 1 - (CountAtLeast(sortedGenuine, t) / (double)sortedGenuine.Length);
            var gap = Math.Abs(far - frr);
            if (gap < best.Gap)
            {
                best = (gap, (far + frr) / 2, t);
            }
        }

        return (best.Eer, best.Threshold);
    }

    private static int CountAtLeast(double[] sorted, double threshold)
    {
        var index = Array.BinarySearch(sorted, threshold);
        if (index < 0)
        {
            index = ~index;
        }
        else
        {
            while (index > 0 && sorted[index - 1] >= threshold)
            {
                index--;
            }
        }

        return sorted.Length - index;
    }

    private static ScoreSummary Summarize(double[] sorted)
    {
        var mid = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new ScoreSummary(sorted.Length, sorted[0], median, sorted[^1]);
    }
}

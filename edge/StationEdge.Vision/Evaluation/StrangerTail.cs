namespace StationEdge.Vision.Evaluation;

/// <summary>
/// The upper tail of different-person scores, modelled as normal with the measured <paramref name="Mean"/> and
/// <paramref name="Spread"/> (standard deviation) of stranger–worker pair scores. A few hundred strangers cannot show a
/// rate of 1 in 100,000 pairs, which a door of 100 workers needs; this model extrapolates to it. It is an estimate:
/// a population with lookalikes has a heavier tail than the normal one (the East Asian development photos' highest
/// stranger score sat above the model's), so the thresholds it gives are a floor to check, not a proof.
/// </summary>
public sealed record StrangerTail(double Mean, double Spread, int Pairs)
{
    public static StrangerTail Fit(IReadOnlyList<double> pairScores)
    {
        ArgumentNullException.ThrowIfNull(pairScores);
        if (pairScores.Count < 2)
        {
            throw new ArgumentException($"fitting the stranger tail needs at least 2 pair scores, have {pairScores.Count}", nameof(pairScores));
        }

        var mean = pairScores.Average();
        var spread = Math.Sqrt(pairScores.Sum(s => (s - mean) * (s - mean)) / (pairScores.Count - 1));
        return new StrangerTail(mean, spread, pairScores.Count);
    }

    /// <summary>The per-pair false-accept rate that lets in <paramref name="strangerRate"/> of strangers with <paramref name="workers"/> enrolled.</summary>
    public static double PairRate(double strangerRate, int workers) =>
        -double.ExpM1(double.LogP1(-strangerRate) / workers);

    /// <summary>The threshold at which the model lets in <paramref name="strangerRate"/> of stranger walk-ups against <paramref name="workers"/> workers.</summary>
    public double ThresholdFor(double strangerRate, int workers) => Mean + (Spread * InverseUpperTail(PairRate(strangerRate, workers)));

    /// <summary>The modelled share of stranger walk-ups let in at <paramref name="threshold"/> with <paramref name="workers"/> workers.</summary>
    public double StrangerRateAt(double threshold, int workers)
    {
        var pair = UpperTail((threshold - Mean) / Spread);
        return -double.ExpM1(workers * double.LogP1(-pair));
    }

    /// <summary>P(Z ≥ z) for a standard normal Z.</summary>
    public static double UpperTail(double z) => 0.5 * Erfc(z / Math.Sqrt(2));

    /// <summary>The z with P(Z ≥ z) = p, by bisection on <see cref="UpperTail"/> (exact to 1e-12, fast enough for a report).</summary>
    public static double InverseUpperTail(double p)
    {
        if (!(p is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "a tail probability is between 0 and 1");
        }

        double lo = -40, hi = 40;
        for (var i = 0; i < 200 && hi - lo > 1e-12; i++)
        {
            var mid = (lo + hi) / 2;
            if (UpperTail(mid) > p)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return (lo + hi) / 2;
    }

    /// <summary>erfc by the Chebyshev fit of Numerical Recipes' erfcc (relative error under 1.2e-7), enough for rates.</summary>
    private static double Erfc(double x)
    {
        ReadOnlySpan<double> c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        var poly = 0.0;
        for (var i = c.Length - 1; i >= 0; i--)
        {
            poly = (poly * t) + c[i];
        }

        var r = t * Math.Exp((-z * z) + poly);
        return x >= 0 ? r : 2 - r;
    }
}

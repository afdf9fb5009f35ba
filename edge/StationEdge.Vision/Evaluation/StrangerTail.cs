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

    /// <summary>The share of the highest scores <see cref="FitUpperTail"/> fits by default.</summary>
    public const double DefaultTailShare = 0.1;

    /// <summary>
    /// A normal fitted to the upper tail only: the highest <paramref name="tailShare"/> of the scores, each at its
    /// plotting position (i − ½)/n, regressed on the normal's z for that position. The door's thresholds sit out in the
    /// tail, and the bulk of different-person scores says little about it: on the East Asian development photos the fit of
    /// the whole distribution put the 1-in-100 pair score 0.056 below the one observed (a heavier tail: lookalikes);
    /// on faces-dev 0.03 above (a lighter one). Falls back to <see cref="Fit"/> with fewer than
    /// <see cref="MinTailPoints"/> scores in the tail.
    /// </summary>
    public static StrangerTail FitUpperTail(IReadOnlyList<double> pairScores, double tailShare = DefaultTailShare)
    {
        ArgumentNullException.ThrowIfNull(pairScores);
        if (!(tailShare is > 0 and <= 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(tailShare), tailShare, "the tail share is above 0 and at most 0.5");
        }

        var sorted = pairScores.OrderDescending().ToArray();
        var points = (int)Math.Floor(tailShare * sorted.Length);
        if (points < MinTailPoints)
        {
            return Fit(pairScores);
        }

        double sz = 0, ss = 0, szz = 0, szs = 0;
        for (var i = 0; i < points; i++)
        {
            var z = InverseUpperTail((i + 0.5) / sorted.Length);
            sz += z;
            ss += sorted[i];
            szz += z * z;
            szs += z * sorted[i];
        }

        var spread = ((points * szs) - (sz * ss)) / ((points * szz) - (sz * sz));
        var mean = (ss - (spread * sz)) / points;
        return spread > 0 ? new StrangerTail(mean, spread, sorted.Length) : Fit(pairScores);
    }

    /// <summary>The fewest tail scores <see cref="FitUpperTail"/> regresses on.</summary>
    public const int MinTailPoints = 10;

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

namespace StationEdge.Vision.Recognition;

/// <summary>
/// One enrolled embedding of a worker. <paramref name="ModelSha256"/> is the sha256 of the embedder model
/// that produced it: embeddings from different models live in different spaces and must never be compared.
/// </summary>
public sealed record FaceTemplate(Guid Id, string WorkerId, float[] Embedding, string ModelSha256);

public enum MatchDecision
{
    Unknown,
    Known,
}

/// <summary>
/// The gallery's answer for one probe. <paramref name="Score"/> is the top worker's cosine (with their centroid or
/// best template, <see cref="GalleryOptions.Templates"/>); <paramref name="Margin"/> is that minus the best cosine of any other worker (or minus 0, the
/// expected cosine of an unrelated face, when no other worker is enrolled). <paramref name="WorkerId"/> is
/// the top candidate even when the decision is Unknown, so callers can log near misses. An empty gallery
/// answers Unknown with no worker and score 0.
/// </summary>
public sealed record Match(string? WorkerId, float Score, float Margin, string? SecondWorkerId, MatchDecision Decision)
{
    public bool IsKnown => Decision == MatchDecision.Known;

    /// <summary>The threshold the decision was taken at (it depends on the gallery's size).</summary>
    public float Threshold { get; init; }
}

/// <summary>How a worker's several templates are scored against a probe.</summary>
public enum TemplateCombination
{
    /// <summary>
    /// Against the worker's centroid: the renormalised sum of their unit templates. With two photos enrolled it refused
    /// the fewest enrolled people at the threshold where no stranger got in, on the East Asian development photos.
    /// </summary>
    Centroid,

    /// <summary>The best of the worker's templates: each extra template is one more chance for a stranger to match.</summary>
    Best,
}

/// <summary>
/// The open-set decision rule: Known only when the score reaches the threshold for the gallery as it stands
/// (<see cref="ThresholdFor"/>) and the top worker beats every other worker by at least <paramref name="MinMargin"/>.
/// <para>
/// By default (<paramref name="Threshold"/> null) the threshold is calibrated from the gallery itself. A stranger is a
/// member of the station's population, so the scores between the station's own enrolled workers (their centroids,
/// pair by pair) show how high a stranger scores against a worker: on the East Asian development photos those
/// worker–worker scores had mean 0.155 and spread 0.135, the strangers' walk-ups 0.154 and 0.134; on faces-dev
/// −0.002 / 0.122 and 0.007 / 0.110. Modelled as normal, with <see cref="StrangerRate"/> of stranger walk-ups let in at
/// N workers each pair may false-accept at most 1 − (1 − rate)^(1/N): the threshold is that many spreads above the
/// mean. So it rises with the gallery (0.725 at 100 East Asian workers, 0.79 at 1,000, 0.85 at 10,000) and follows
/// the population (0.48 at 100 workers of faces-dev's). A small gallery says little about its population: its pairs
/// are pooled with a prior (<see cref="PriorMean"/>, <see cref="PriorSpread"/>, worth <see cref="PriorPairs"/> pairs)
/// measured on the East Asian development photos, the harder population; and the threshold never goes below
/// <see cref="MinThreshold"/>.
/// </para>
/// <para>
/// A fixed <paramref name="Threshold"/> (a county's own calibration) holds up to <see cref="ReferenceWorkers"/> workers
/// and rises by <see cref="StricterPerDecade"/> for every tenfold growth past it.
/// </para>
/// <paramref name="MinMargin"/> defaults to 0: the 0.05 margin of before kept out none of the strangers who got in
/// (they cleared it easily). The constants are for the default embedder (faceplugin, mirror-averaged); another
/// embedder's own worker pairs take over from the prior once a few dozen workers are enrolled.
/// </summary>
public sealed record GalleryOptions(float? Threshold = null, float MinMargin = GalleryOptions.DefaultMinMargin)
{
    /// <summary>The threshold the calibration gives 100 East Asian workers (with the prior alone); a fixed threshold's usual start.</summary>
    public const float DefaultThreshold = 0.73f;
    public const float DefaultMinMargin = 0f;
    public const double DefaultStrangerRate = 0.001;
    public const int DefaultReferenceWorkers = 100;
    public const float DefaultStricterPerDecade = 0.065f;
    public const double DefaultPriorMean = 0.154;
    public const double DefaultPriorSpread = 0.134;
    public const int DefaultPriorPairs = 45;
    public const float DefaultMinThreshold = 0.45f;

    /// <summary>The share of stranger walk-ups the calibrated threshold lets in (1 in 1,000).</summary>
    public double StrangerRate { get; init; } = DefaultStrangerRate;

    public double PriorMean { get; init; } = DefaultPriorMean;

    public double PriorSpread { get; init; } = DefaultPriorSpread;

    /// <summary>How many worker pairs the prior counts as (45: the pairs of 10 workers).</summary>
    public int PriorPairs { get; init; } = DefaultPriorPairs;

    public float MinThreshold { get; init; } = DefaultMinThreshold;

    /// <summary>With a fixed threshold, the largest gallery it is meant for; a larger one gets a stricter threshold.</summary>
    public int ReferenceWorkers { get; init; } = DefaultReferenceWorkers;

    /// <summary>With a fixed threshold, how much it rises for every tenfold growth of the gallery past <see cref="ReferenceWorkers"/>.</summary>
    public float StricterPerDecade { get; init; } = DefaultStricterPerDecade;

    public TemplateCombination Templates { get; init; } = TemplateCombination.Centroid;

    /// <summary>Which SIMD width the search uses; Auto (the widest the CPU accelerates) except to measure one.</summary>
    public DotProductPath DotProduct { get; init; } = DotProductPath.Auto;

    /// <summary>
    /// The threshold with <paramref name="workers"/> workers whose centroid pairs scored <paramref name="pairMean"/> on average
    /// with spread <paramref name="pairSpread"/> over <paramref name="pairs"/> pairs (ignored with a fixed threshold).
    /// </summary>
    public float ThresholdFor(int workers, double pairMean = 0, double pairSpread = 0, long pairs = 0)
    {
        if (Threshold is { } fixedThreshold)
        {
            return workers <= ReferenceWorkers ? fixedThreshold : fixedThreshold + (StricterPerDecade * MathF.Log10(workers / (float)ReferenceWorkers));
        }

        var (mean, spread) = PooledTail(pairMean, pairSpread, pairs);
        var z = Evaluation.StrangerTail.InverseUpperTail(Evaluation.StrangerTail.PairRate(StrangerRate, Math.Max(workers, 1)));
        return Math.Max(MinThreshold, (float)(mean + (spread * z)));
    }

    /// <summary>
    /// The normal model of a stranger's score against one worker that the calibrated rule sets its threshold from: the
    /// gallery's own <paramref name="pairs"/> worker pairs pooled with the prior.
    /// </summary>
    public (double Mean, double Spread) PooledTail(double pairMean, double pairSpread, long pairs)
    {
        // Pooled as two samples: the mixture's mean and variance, the prior counting as PriorPairs pairs.
        double w = PriorPairs, n = pairs;
        var mean = ((w * PriorMean) + (n * pairMean)) / (w + n);
        var variance = (((w * PriorSpread * PriorSpread) + (n * pairSpread * pairSpread)) / (w + n))
            + (w * n / ((w + n) * (w + n)) * (PriorMean - pairMean) * (PriorMean - pairMean));
        return (mean, Math.Sqrt(variance));
    }
}

using System.Numerics.Tensors;
using StationEdge.Vision.Recognition;

namespace StationEdge.Vision.Evaluation;

/// <summary>
/// Checks the calibrated rule at each security level (<see cref="StrangerRateLevel.Named"/>) against what a photo set
/// shows: the threshold the rule sets at the gallery's size, the stranger rate its model predicts there, the rate
/// observed (stranger walk-ups let in and, finer, stranger–worker pair scores above it), the enrolled walk-ups refused,
/// and how far the threshold sits above the highest stranger score seen. A threshold far above every stranger is a
/// pessimistic model: it refuses riders for nothing.
/// </summary>
public static class CalibrationCheck
{
    /// <summary>
    /// One level's figures. Thresholds and predictions are for the galleries the strangers met (leave-one-person-out:
    /// the other people), averaged over them; <paramref name="Threshold"/> is the whole gallery's, the one enrolled
    /// walk-ups met.
    /// </summary>
    public sealed record Level(
        string Key,
        string NameZh,
        string NameEn,
        double StrangerRate,
        int Workers,
        double Threshold,
        double StrangerThreshold,
        double PredictedStrangerRate,
        double PredictedPairRate,
        int StrangerWalkUps,
        int StrangersLetIn,
        double ObservedStrangerRate,
        long Pairs,
        long PairsAbove,
        double ObservedPairRate,
        int EnrolledWalkUps,
        int EnrolledRefused,
        double EnrolledRefusedRate,
        double HighestStrangerScore,
        double AboveHighestStranger);

    /// <summary>
    /// A model of the stranger–worker score tail set against the scores themselves at one pair rate: the threshold the
    /// model gives for it and the empirical one (the score that many pairs reach), and the pair rate observed at the
    /// model's threshold.
    /// </summary>
    public sealed record TailPoint(double PairRate, double ModelThreshold, double EmpiricalThreshold, double ObservedPairRateAtModel);

    /// <summary>How a tail model fitted to all the stranger–worker scores here matches their upper tail.</summary>
    public sealed record TailFit(string Model, double Mean, double Spread, long Pairs, IReadOnlyList<TailPoint> Points);

    /// <summary>The pair rates a tail is checked at, as far as the scores can show them (at least 3 pairs above).</summary>
    public static IReadOnlyList<double> CheckedPairRates { get; } = [0.1, 0.03, 0.01, 0.003, 0.001];

    /// <summary>Runs the door simulation at each level (the rule's other settings kept) and compares prediction with observation.</summary>
    public static IReadOnlyList<Level> Run(
        IReadOnlyList<OpenSetPerson> gallery,
        IReadOnlyList<OpenSetWalkUp> walkUps,
        StrangerProtocol protocol,
        GalleryOptions rule,
        IReadOnlyList<StrangerRateLevel>? levels = null,
        string embedderTag = "evaluation")
    {
        ArgumentNullException.ThrowIfNull(gallery);
        ArgumentNullException.ThrowIfNull(walkUps);
        ArgumentNullException.ThrowIfNull(rule);
        var enrolled = gallery.Where(p => p.Templates.Count > 0).ToList();
        var centroids = enrolled.ToDictionary(p => p.Person, p => WalkUpFusion.Fuse(p.Templates.ToList()), StringComparer.Ordinal);
        var byWorker = enrolled.ToDictionary(p => p.Person, p => p.Templates, StringComparer.Ordinal);
        float PairScore(string worker, float[] probe) => rule.Templates == TemplateCombination.Best
            ? byWorker[worker].Max(t => TensorPrimitives.CosineSimilarity(t, probe))
            : TensorPrimitives.CosineSimilarity(centroids[worker], probe);
        var folds = Folds(enrolled, walkUps, protocol, rule, embedderTag);
        var result = new List<Level>();
        foreach (var level in levels ?? StrangerRateLevel.Named)
        {
            // The levels are the calibrated rule's; a fixed threshold has no level.
            var levelRule = rule with { Threshold = null, StrangerRate = level.Rate };
            var door = OpenSetEvaluation.Run(gallery, walkUps, protocol, levelRule, embedderTag);
            double thresholdSum = 0, predictedSum = 0, pairPredictedSum = 0, highest = double.NegativeInfinity;
            long pairs = 0, above = 0;
            var strangerWalkUps = 0;
            foreach (var fold in folds)
            {
                var (mean, spread) = levelRule.PooledTail(fold.PairMean, fold.PairSpread, fold.WorkerPairs);
                var threshold = levelRule.ThresholdFor(fold.Workers, fold.PairMean, fold.PairSpread, fold.WorkerPairs);
                var pairRate = StrangerTail.UpperTail((threshold - mean) / spread);
                foreach (var probe in fold.Probes)
                {
                    strangerWalkUps++;
                    thresholdSum += threshold;
                    predictedSum += -double.ExpM1(fold.Workers * double.LogP1(-pairRate));
                    pairPredictedSum += pairRate;
                    foreach (var worker in fold.Others)
                    {
                        var score = PairScore(worker, probe);
                        pairs++;
                        above += score >= threshold ? 1 : 0;
                        highest = Math.Max(highest, score);
                    }
                }
            }

            var strangers = door.Strangers.ToList();
            var letIn = strangers.Count(o => o.LetIn);
            var enrolledOutcomes = door.Enrolled.ToList();
            var refused = enrolledOutcomes.Count(o => !o.LetIn || o.WrongWorker);
            var whole = enrolledOutcomes.Select(o => (double)o.Threshold).Where(t => !double.IsNaN(t)).DefaultIfEmpty(double.NaN).First();
            var meanThreshold = strangerWalkUps == 0 ? double.NaN : thresholdSum / strangerWalkUps;
            result.Add(new Level(
                level.Key,
                level.NameZh,
                level.NameEn,
                level.Rate,
                door.GalleryWorkers,
                whole,
                meanThreshold,
                strangerWalkUps == 0 ? double.NaN : predictedSum / strangerWalkUps,
                strangerWalkUps == 0 ? double.NaN : pairPredictedSum / strangerWalkUps,
                strangers.Count,
                letIn,
                strangers.Count == 0 ? 0 : letIn / (double)strangers.Count,
                pairs,
                above,
                pairs == 0 ? 0 : above / (double)pairs,
                enrolledOutcomes.Count,
                refused,
                enrolledOutcomes.Count == 0 ? 0 : refused / (double)enrolledOutcomes.Count,
                highest,
                meanThreshold - highest));
        }

        return result;
    }

    /// <summary>A tail model (its threshold for a pair rate) set against <paramref name="pairScores"/>' own upper tail.</summary>
    public static TailFit CheckTail(string model, double mean, double spread, IReadOnlyList<double> pairScores, Func<double, double> thresholdForPairRate)
    {
        ArgumentNullException.ThrowIfNull(pairScores);
        ArgumentNullException.ThrowIfNull(thresholdForPairRate);
        var sorted = pairScores.OrderDescending().ToArray();
        var points = new List<TailPoint>();
        foreach (var rate in CheckedPairRates.Where(r => r * sorted.Length >= 3))
        {
            var modelThreshold = thresholdForPairRate(rate);
            var empirical = sorted[(int)Math.Ceiling(rate * sorted.Length) - 1];
            var observed = sorted.Count(s => s >= modelThreshold) / (double)sorted.Length;
            points.Add(new TailPoint(rate, modelThreshold, empirical, observed));
        }

        return new TailFit(model, mean, spread, sorted.Length, points);
    }

    private sealed record Fold(int Workers, double PairMean, double PairSpread, long WorkerPairs, IReadOnlyList<string> Others, IReadOnlyList<float[]> Probes);

    /// <summary>Each stranger's gallery: leave-one-person-out, the others; not-in-gallery, everyone enrolled.</summary>
    private static List<Fold> Folds(List<OpenSetPerson> enrolled, IReadOnlyList<OpenSetWalkUp> walkUps, StrangerProtocol protocol, GalleryOptions rule, string tag)
    {
        var names = enrolled.Select(p => p.Person).ToHashSet(StringComparer.Ordinal);
        var dims = enrolled[0].Templates[0].Length;
        using var faces = new FaceGallery(tag, dims, rule with { Threshold = null });
        var templates = enrolled.ToDictionary(
            p => p.Person, p => p.Templates.Select(t => new FaceTemplate(Guid.NewGuid(), p.Person, t, tag)).ToList(), StringComparer.Ordinal);
        faces.AddRange(templates.Values.SelectMany(t => t));

        var folds = new List<Fold>();
        foreach (var person in walkUps.Where(w => w.Embedding is not null).GroupBy(w => w.Person, StringComparer.Ordinal))
        {
            var isEnrolled = names.Contains(person.Key);
            if (protocol == StrangerProtocol.NotInGallery && isEnrolled)
            {
                continue;
            }

            if (isEnrolled)
            {
                faces.RemoveWorker(person.Key);
            }

            var (mean, spread, pairs) = faces.WorkerPairScores;
            folds.Add(new Fold(
                faces.WorkerCount, mean, spread, pairs, names.Where(n => n != person.Key).ToList(), person.Select(w => w.Embedding!).ToList()));
            if (isEnrolled)
            {
                faces.AddRange(templates[person.Key]);
            }
        }

        return folds;
    }
}

using StationEdge.Vision.Evaluation;
using StationEdge.Vision.Recognition;

namespace StationEdge.Cli.Commands;

/// <summary>`eval --open-set`'s calibration check: each security level's threshold, predicted and observed stranger rates, and refusals.</summary>
internal static partial class OpenSetEvalCommand
{
    /// <summary>The figures for each level and how the tail models match the stranger–worker scores here.</summary>
    internal static (IReadOnlyList<CalibrationCheck.Level> Levels, IReadOnlyList<CalibrationCheck.TailFit> TailFits) CheckCalibration(
        IReadOnlyList<OpenSetPerson> gallery, IReadOnlyList<OpenSetWalkUp> walkUps, StrangerProtocol protocol, GalleryOptions rule, OpenSetResult result, string tag)
    {
        var levels = CalibrationCheck.Run(gallery, walkUps, protocol, rule, embedderTag: tag);
        var fits = new List<CalibrationCheck.TailFit>();
        if (result.StrangerPairScores.Count >= MinTailPairs)
        {
            var normal = StrangerTail.Fit(result.StrangerPairScores);
            fits.Add(CalibrationCheck.CheckTail(
                "normal fit of all the scores", normal.Mean, normal.Spread, result.StrangerPairScores, p => normal.Mean + (normal.Spread * StrangerTail.InverseUpperTail(p))));
            var tail = StrangerTail.FitUpperTail(result.StrangerPairScores);
            fits.Add(CalibrationCheck.CheckTail(
                $"normal fit of the upper {StrangerTail.DefaultTailShare:0%} of the scores", tail.Mean, tail.Spread, result.StrangerPairScores, p => tail.ThresholdFor(p, 1)));
            fits.Add(CalibrationCheck.CheckTail(
                "the rule's prior", rule.PriorMean, rule.PriorSpread, result.StrangerPairScores, p => rule.PriorMean + (rule.PriorSpread * StrangerTail.InverseUpperTail(p))));
        }

        return (levels, fits);
    }

    private static void PrintLevels(TextWriter o, Report r)
    {
        if (r.Levels is not { Count: > 0 } levels)
        {
            return;
        }

        static string Pct(double rate) => Figures.Percent(rate, 2, roundUp: false);
        o.WriteLine();
        o.WriteLine("security levels (Access:StrangerRate), the calibrated rule at each; strangers leave-one-person-out, every stranger–worker score:");
        o.WriteLine("  level            target    threshold  stranger thr  predicted  let in        pairs above        enrolled refused  above highest stranger");
        foreach (var l in levels)
        {
            o.WriteLine(
                $"  {l.NameZh} {l.NameEn,-11} {StrangerRateLevel.ForRate(l.StrangerRate).RateText,-9} {Figures.Fixed(l.Threshold, 3),-10} {Figures.Fixed(l.StrangerThreshold, 3),-13} "
                + $"{Pct(l.PredictedStrangerRate),-10} {$"{l.StrangersLetIn}/{l.StrangerWalkUps} ({Pct(l.ObservedStrangerRate)})",-13} "
                + $"{$"{l.PairsAbove}/{l.Pairs} ({Pct(l.ObservedPairRate)}; model {Pct(l.PredictedPairRate)})",-18} "
                + $"{$"{l.EnrolledRefused}/{l.EnrolledWalkUps} ({Pct(l.EnrolledRefusedRate)})",-17} {Figures.Signed(l.AboveHighestStranger, 3)} (highest {Figures.Fixed(l.HighestStrangerScore, 3)})");
        }

        foreach (var fit in r.TailFits ?? [])
        {
            o.WriteLine($"  tail check, {fit.Model} (mean {Figures.Fixed(fit.Mean, 3)}, spread {Figures.Fixed(fit.Spread, 3)}) against the {fit.Pairs} scores' own tail:");
            foreach (var p in fit.Points)
            {
                o.WriteLine(
                    $"    pair rate {Pct(p.PairRate),-7} model threshold {Figures.Fixed(p.ModelThreshold, 3)}, empirical {Figures.Fixed(p.EmpiricalThreshold, 3)} "
                    + $"({Figures.Signed(p.ModelThreshold - p.EmpiricalThreshold, 3)}); observed at the model's: {Pct(p.ObservedPairRateAtModel)}");
            }
        }
    }
}

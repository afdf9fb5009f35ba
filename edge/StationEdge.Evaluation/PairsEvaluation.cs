using System.Globalization;
using StationEdge.Vision.Evaluation;
using StationEdge.Vision.Recognition;

namespace StationEdge.Evaluation;

/// <summary>
/// `eval --pairs`' figures and text: 1:1 verification over the scores of a pairs file's same-person and
/// different-person pairs (AUC, EER, TAR at FAR points, the default threshold), and the advice on which threshold to
/// set. The command decodes and embeds; this says what the scores mean, with every rounding keeping its promise.
/// </summary>
public static class PairsEvaluation
{
    public sealed record Skipped(int Line, string Left, string Right, string Reason);

    public sealed record Distribution(int Count, double Min, double Median, double Max);

    /// <summary>The shares of same-person (TAR) and different-person (FAR) pairs accepted at one threshold.</summary>
    public sealed record AtThreshold(double Threshold, double Tar, double Far);

    /// <summary>Bona-fide presentation classification error: genuine faces the liveness model calls fake.</summary>
    public sealed record LivenessReport(int Faces, int CalledFake, double Bpcer, double Threshold, IReadOnlyList<string> CalledFakePhotos);

    public sealed record Report(
        string PairsFile,
        int Pairs,
        int SamePairs,
        int DifferentPairs,
        int SkippedCount,
        IReadOnlyList<Skipped> Skipped,
        double Auc,
        double Eer,
        double EerThreshold,
        IReadOnlyDictionary<string, double> TarAtFar,
        IReadOnlyDictionary<string, double> ThresholdAtFar,
        IReadOnlyDictionary<string, bool> CoarseAtFar,
        AtThreshold AtDefaultThreshold,
        Distribution Same,
        Distribution Different,
        LivenessReport? Liveness,
        string EmbedderSha256,
        AlignmentReport? Alignment = null);

    /// <summary>The gallery's default as the decimal it is written as (the float 0.55f accepts exactly the same float scores).</summary>
    public static readonly double DefaultThreshold = (double)(decimal)GalleryOptions.DefaultThreshold;

    /// <summary>The figures over the scores of the pairs used.</summary>
    public static (Report Report, VerificationReport Metrics) Summarize(
        string csv, List<double> genuine, List<double> impostor, List<Skipped> skipped, LivenessReport? liveness, string embedderSha256, AlignmentReport? alignment = null)
    {
        var metrics = VerificationMetrics.Compute(genuine, impostor);
        string Key(double far) => far.ToString(CultureInfo.InvariantCulture);
        var report = new Report(
            csv,
            genuine.Count + impostor.Count,
            genuine.Count,
            impostor.Count,
            skipped.Count,
            skipped,
            metrics.Auc,
            metrics.Eer,
            metrics.EerThreshold,
            metrics.Points.ToDictionary(p => Key(p.TargetFar), p => p.Tar),
            metrics.Points.ToDictionary(p => Key(p.TargetFar), p => p.Threshold),
            metrics.Points.ToDictionary(p => Key(p.TargetFar), p => p.Coarse),
            At(DefaultThreshold, genuine, impostor),
            new Distribution(metrics.Same.Count, metrics.Same.Min, metrics.Same.Median, metrics.Same.Max),
            new Distribution(metrics.Different.Count, metrics.Different.Min, metrics.Different.Median, metrics.Different.Max),
            liveness,
            embedderSha256,
            alignment);
        return (report, metrics);
    }

    private static AtThreshold At(double threshold, List<double> genuine, List<double> impostor)
    {
        var (tar, far) = VerificationMetrics.RatesAt(genuine, impostor, threshold);
        return new AtThreshold(threshold, tar, far);
    }

    /// <summary>
    /// The text report. Every threshold printed is rounded up and the rates beside it are those of the printed
    /// value, so typing in what is printed keeps the FAR it promises; accept rates round down, error rates up.
    /// </summary>
    public static void PrintText(TextWriter o, Report r, VerificationReport m, List<double> genuine, List<double> impostor)
    {
        static string Tar(double rate) => Figures.Percent(rate, 2, roundUp: false);
        static string Far(double rate) => Figures.Percent(rate, 2, roundUp: true);

        o.WriteLine($"pairs file   {r.PairsFile}");
        o.WriteLine($"pairs used   {r.Pairs} ({r.SamePairs} same person, {r.DifferentPairs} different people)");
        o.WriteLine($"skipped      {r.SkippedCount}");
        if (r.Alignment is { } alignment)
        {
            o.WriteLine($"alignment    {alignment.Describe()}");
        }
        foreach (var s in r.Skipped)
        {
            o.WriteLine($"  line {s.Line}: {s.Reason}");
        }

        o.WriteLine();
        o.WriteLine($"AUC          {Figures.DownText(r.Auc, 4)}");
        o.WriteLine($"EER          {Far(r.Eer)}  (at threshold {Figures.UpText(r.EerThreshold, 3)})");
        foreach (var p in m.Points)
        {
            var shown = At(Figures.Up(p.Threshold, 3), genuine, impostor);
            var note = p.Coarse ? $"  (coarse: {r.DifferentPairs} different-person pairs are too few to measure FAR {p.TargetFar:0.0%}; this is the lowest threshold with no impostor accepted)" : "";
            o.WriteLine($"TAR @ FAR {p.TargetFar,-6:0.0%} {Tar(shown.Tar)}  threshold {Figures.Fixed(shown.Threshold, 3)}{note}");
        }

        var d = r.AtDefaultThreshold;
        o.WriteLine($"default      threshold {Figures.Fixed(d.Threshold, 2)} accepts {Tar(d.Tar)} of same-person pairs and {Far(d.Far)} of different-person pairs");

        o.WriteLine();
        o.WriteLine($"same person       {Range(r.Same)}");
        o.WriteLine($"different people  {Range(r.Different)}");
        if (r.Liveness is { } l)
        {
            o.WriteLine(
                $"liveness          {l.CalledFake} of {l.Faces} genuine faces called fake (BPCER {Figures.Percent(l.Bpcer, 1, roundUp: true)} at threshold {Figures.Fixed(l.Threshold, 2)})"
                + (l.CalledFake > 0 ? $": {string.Join(", ", l.CalledFakePhotos)}" : ""));
            o.WriteLine("                  (no attack samples were evaluated: this says nothing about spoof resistance)");
        }

        o.WriteLine();
        PrintHistogram(o, genuine, impostor);
        o.WriteLine();
        o.WriteLine(Advice(r, m.Points[^1], genuine, impostor));
    }

    /// <summary>Min rounded down and max up, so the printed range holds every score.</summary>
    private static string Range(Distribution d) =>
        $"min {Figures.DownText(d.Min, 3)}  median {Figures.Fixed(d.Median, 3)}  max {Figures.UpText(d.Max, 3)}";

    /// <summary>Which threshold to set, from the strictest FAR point and what the default does on these photos.</summary>
    private static string Advice(Report r, OperatingPoint strict, List<double> genuine, List<double> impostor)
    {
        var d = r.AtDefaultThreshold;
        var defaultName = $"the default threshold {Figures.Fixed(d.Threshold, 2)}";
        var far = $"FAR {strict.TargetFar:0.0%}";
        if (!strict.Coarse)
        {
            var set = At(Figures.Up(strict.Threshold, 2), genuine, impostor);
            return $"To accept at most {strict.TargetFar:0.0%} of strangers on photos like these, set the match threshold to {Figures.Fixed(set.Threshold, 2)}: "
                + $"it accepts {Figures.Percent(set.Tar, 2, roundUp: false)} of same-person pairs here ({defaultName} accepts {Figures.Percent(d.Tar, 2, roundUp: false)}, and {Figures.Percent(d.Far, 2, roundUp: true)} of strangers).";
        }

        var needed = (int)Math.Ceiling(1 / strict.TargetFar);
        var highest = Figures.UpText(r.Different.Max, 3);
        var strangersIn = impostor.Count(s => s >= d.Threshold);
        if (strangersIn == 0)
        {
            return $"These photos hold too few different-person pairs ({r.DifferentPairs}) to pin {far}: {defaultName} accepts none of the "
                + $"{r.DifferentPairs} different-person pairs here (the highest scored {highest}) and {Figures.Percent(d.Tar, 2, roundUp: false)} of same-person pairs; "
                + $"to pin {far}, evaluate at least {needed} different-person pairs.";
        }

        // The least two-decimal threshold above every stranger seen.
        var above = At(Figures.Up(Math.BitIncrement(r.Different.Max), 2), genuine, impostor);
        return $"These photos hold too few different-person pairs ({r.DifferentPairs}) to pin {far}, and {defaultName} accepts {strangersIn} of "
            + $"{r.DifferentPairs} different-person pairs here (the highest scored {highest}): set the match threshold to at least {Figures.Fixed(above.Threshold, 2)}, "
            + $"which accepts {Figures.Percent(above.Tar, 2, roundUp: false)} of same-person pairs, or evaluate at least {needed} different-person pairs.";
    }

    /// <summary>Cosine scores in bins of 0.1, same-person pairs as '#', different-person as '.', scaled per row.</summary>
    private static void PrintHistogram(TextWriter o, List<double> genuine, List<double> impostor)
    {
        const int width = 40;

        // Bin b holds [(b − 2)/10, (b − 1)/10), with everything under −0.1 in bin 0 and from 0.9 up in bin 11.
        int Bin(double s) => (int)Math.Clamp(Math.Floor(s * 10) + 2, 0, 11);
        var g = new int[12];
        var i = new int[12];
        genuine.ForEach(s => g[Bin(s)]++);
        impostor.ForEach(s => i[Bin(s)]++);
        var max = Math.Max(1, Math.Max(g.Max(), i.Max()));
        o.WriteLine("score       same person (#)  /  different people (.)");
        for (var b = 0; b < 12; b++)
        {
            var label = b == 0 ? "   < -0.1" : b == 11 ? "   ≥  0.9" : $"{Figures.Fixed((b - 2) / 10.0, 1),5}–{Figures.Fixed((b - 1) / 10.0, 1),3}";
            var bar = new string('#', (int)Math.Ceiling(g[b] * (double)width / max)) + new string('.', (int)Math.Ceiling(i[b] * (double)width / max));
            o.WriteLine($"{label}  {bar} {(g[b] + i[b] > 0 ? $"{g[b]}/{i[b]}" : "")}");
        }
    }
}

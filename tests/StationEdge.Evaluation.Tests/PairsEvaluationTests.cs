using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace StationEdge.Evaluation.Tests;

/// <summary>
/// What eval prints from given scores: every rounded figure errs on the side of the promise it makes (a threshold
/// rounds up, an accept rate down, an error rate up), and the advice follows from the figures.
/// </summary>
public sealed partial class PairsEvaluationTests
{
    // The naming station-edge --json writes (JsonOutput): the keys eval --pairs --json promises.
    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    [Fact]
    public void Advice_WhenAStrangerScoresAboveTheDefault_SaysTheDefaultAcceptsItAndNamesAThresholdAboveIt()
    {
        // 300 different-person pairs: too few to pin FAR 0.1%. One stranger scored 0.734, above the default 0.73.
        var impostor = Spread(299, -0.2, 0.3).Append(0.734).ToList();
        var genuine = Spread(40, 0.6, 0.99);

        var text = Text(genuine, impostor);

        Assert.DoesNotContain("above 0.73 ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("above 0.73.", text, StringComparison.Ordinal);
        var advice = Advice(text);
        Assert.Contains("the default threshold 0.73 accepts 1 of 300 different-person pairs here", advice, StringComparison.Ordinal);
        Assert.Contains("0.734", advice, StringComparison.Ordinal);
        Assert.Contains("at least 0.74", advice, StringComparison.Ordinal);
    }

    [Fact]
    public void Advice_WhenEveryStrangerIsBelowTheDefault_SaysTheDefaultKeepsThemOut()
    {
        var text = Text(Spread(40, 0.6, 0.99), Spread(300, -0.2, 0.38));

        var advice = Advice(text);
        Assert.Contains("the default threshold 0.73 accepts none of the 300 different-person pairs here", advice, StringComparison.Ordinal);
        Assert.Contains("evaluate at least 1000 different-person pairs", advice, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultThreshold_ShareOfGenuinePairsAccepted_IsInTheTextAndTheJson()
    {
        // 4 of the 40 same-person pairs score under 0.73: 90% accepted; 3 of 300 strangers over it: 1%.
        var genuine = Spread(36, 0.75, 0.99).Concat([0.3, 0.4, 0.5, 0.72]).ToList();
        var impostor = Spread(297, -0.2, 0.3).Concat([0.74, 0.8, 0.9]).ToList();
        var (report, metrics) = PairsEvaluation.Summarize("pairs.csv", genuine, impostor, [], null, "sha");

        var json = JsonDocument.Parse(JsonSerializer.Serialize(report, SnakeCase)).RootElement.GetProperty("at_default_threshold");
        Assert.Equal(0.73, json.GetProperty("threshold").GetDouble(), 6);
        Assert.Equal(0.9, json.GetProperty("tar").GetDouble(), 12);
        Assert.Equal(0.01, json.GetProperty("far").GetDouble(), 12);
        Assert.Contains(
            "default      threshold 0.73 accepts 90.00% of same-person pairs and 1.00% of different-person pairs",
            Text(report, metrics, genuine, impostor),
            StringComparison.Ordinal);
    }

    [Fact]
    public void RecommendedThreshold_WhenAnImpostorSitsJustAboveARoundingBoundary_IsRoundedUpSoTheFarHolds()
    {
        // 2000 strangers: FAR 0.1% allows 2. The third highest, 0.7312, must stay out, so the threshold is just
        // above it; rounded down to 0.73 (or 0.731) it would let that stranger in.
        var impostor = Spread(1997, -0.3, 0.5).Concat([0.7312, 0.8, 0.9]).ToList();
        var genuine = Spread(200, 0.6, 0.99);

        var text = Text(genuine, impostor);

        var recommended = Number(RecommendedPattern().Match(text));
        Assert.Equal(0.74, recommended);
        Assert.True(impostor.Count(s => s >= recommended) <= 2, $"{recommended} accepts {impostor.Count(s => s >= recommended)} strangers");
        foreach (Match m in TarAtFarPattern().Matches(text))
        {
            var far = double.Parse(m.Groups["far"].Value, CultureInfo.InvariantCulture) / 100;
            var threshold = Number(m);
            Assert.True(impostor.Count(s => s >= threshold) <= far * impostor.Count, $"FAR {far}: threshold {threshold} accepts {impostor.Count(s => s >= threshold)} of {impostor.Count}");
        }
    }

    [Fact]
    public void Rates_NeverRoundToABetterFigureThanMeasured()
    {
        // One same-person pair of 30000 is rejected: neither TAR 100.00%, EER 0.00% nor AUC 1.0000 is true.
        var genuine = Enumerable.Repeat(0.9, 29999).Append(0.1).ToList();
        var impostor = Spread(2000, -0.3, 0.5);

        var text = Text(genuine, impostor);

        Assert.DoesNotContain("100.00%", text, StringComparison.Ordinal);
        Assert.Contains("AUC          0.9999", text, StringComparison.Ordinal);
        Assert.Contains("EER          0.01%", text, StringComparison.Ordinal);
        Assert.Contains("TAR @ FAR 1.0%   99.99%", text, StringComparison.Ordinal);
    }

    [Fact]
    public void NegativeScoresThatRoundToZero_PrintWithoutAMinusSign()
    {
        var text = Text(Spread(40, 0.6, 0.99), Spread(299, 0.0, 0.3).Prepend(-0.0004).ToList());

        Assert.DoesNotContain("-0.000", text, StringComparison.Ordinal);
        Assert.DoesNotContain("-0.0 ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("-+", text, StringComparison.Ordinal);
        Assert.Contains("different people  min -0.001", text, StringComparison.Ordinal);
    }

    private static List<double> Spread(int n, double from, double to) =>
        Enumerable.Range(0, n).Select(k => from + ((to - from) * k / Math.Max(1, n - 1))).ToList();

    private static string Text(List<double> genuine, List<double> impostor)
    {
        var (report, metrics) = PairsEvaluation.Summarize("pairs.csv", genuine, impostor, [], null, "sha");
        return Text(report, metrics, genuine, impostor);
    }

    private static string Text(PairsEvaluation.Report report, StationEdge.Vision.Evaluation.VerificationReport metrics, List<double> genuine, List<double> impostor)
    {
        using var output = new StringWriter();
        PairsEvaluation.PrintText(output, report, metrics, genuine, impostor);
        return output.ToString();
    }

    /// <summary>The closing paragraph: everything after the histogram.</summary>
    private static string Advice(string text) => text[(text.LastIndexOf("   ≥  0.9", StringComparison.Ordinal) + 9)..];

    private static double Number(Match m)
    {
        Assert.True(m.Success, "no threshold found in the text");
        return double.Parse(m.Groups["t"].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"set the match threshold to (?<t>\d\.\d+)")]
    private static partial Regex RecommendedPattern();

    [GeneratedRegex(@"TAR @ FAR (?<far>[\d.]+)% +[\d.]+%  threshold (?<t>-?\d\.\d+)")]
    private static partial Regex TarAtFarPattern();
}

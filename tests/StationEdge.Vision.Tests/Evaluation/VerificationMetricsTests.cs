using StationEdge.Vision.Evaluation;

namespace StationEdge.Vision.Tests.Evaluation;

public class VerificationMetricsTests
{
    [Fact]
    public void Auc_WhenEveryGenuineScoreBeatsEveryImpostor_IsOne()
    {
        var report = VerificationMetrics.Compute([0.8, 0.9, 0.7], [0.1, 0.2, 0.3, 0.65]);

        Assert.Equal(1.0, report.Auc, 12);
        Assert.Equal(0.0, report.Eer, 12);
    }

    [Fact]
    public void Auc_CountsTiesAsHalf()
    {
        // Pairs (g, i): (0.5,0.5) tie, (0.5,0.2) win, (0.1,0.5) loss, (0.1,0.2) loss → (1 + 0.5) / 4.
        var report = VerificationMetrics.Compute([0.5, 0.1], [0.5, 0.2]);

        Assert.Equal(0.375, report.Auc, 12);
    }

    [Fact]
    public void AtFar_AllowsOnlyTheImpostorsTheTargetPermits()
    {
        // 100 impostors 0.00..0.99; FAR 1% lets exactly one through: the threshold sits just above the 2nd highest.
        var impostors = Enumerable.Range(0, 100).Select(k => k / 100.0).ToArray();
        var genuine = new[] { 0.97, 0.985, 0.995, 0.5 };

        var point = VerificationMetrics.Compute(genuine, impostors, [0.01]).Points.Single();

        Assert.True(point.Threshold > 0.98 && point.Threshold < 0.981, $"threshold {point.Threshold}");
        Assert.Equal(0.01, point.Far, 12);
        Assert.Equal(0.5, point.Tar, 12);
        Assert.False(point.Coarse);
    }

    [Fact]
    public void AtFar_WithTooFewImpostors_IsMarkedCoarseAndAcceptsNoImpostor()
    {
        var point = VerificationMetrics.Compute([0.9, 0.6, 0.4], [0.1, 0.5], [0.001]).Points.Single();

        Assert.True(point.Coarse);
        Assert.Equal(0.0, point.Far);
        Assert.Equal(2 / 3.0, point.Tar, 12);
    }

    [Fact]
    public void Eer_WhereRatesCross_IsTheirAverage()
    {
        // At threshold 0.6: FAR = 1/4 (0.7), FRR = 1/4 (0.5) → EER 0.25.
        var report = VerificationMetrics.Compute([0.5, 0.6, 0.8, 0.9], [0.1, 0.2, 0.3, 0.7]);

        Assert.Equal(0.25, report.Eer, 12);
        Assert.Equal(0.6, report.EerThreshold, 12);
    }

    [Fact]
    public void Summaries_GiveMinMedianMax()
    {
        var report = VerificationMetrics.Compute([0.9, 0.5, 0.7, 0.6], [0.1, 0.3, 0.2]);

        Assert.Equal((4, 0.5, 0.9), (report.Same.Count, report.Same.Min, report.Same.Max));
        Assert.Equal(0.65, report.Same.Median, 12);
        Assert.Equal(new ScoreSummary(3, 0.1, 0.2, 0.3), report.Different);
    }

    [Fact]
    public void Compute_WithoutImpostorPairs_SaysWhatIsMissing()
    {
        var e = Assert.Throws<ArgumentException>(() => VerificationMetrics.Compute([0.5], []));

        Assert.Contains("different-person", e.Message);
    }
}

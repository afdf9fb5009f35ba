using StationEdge.Vision.Evaluation;

namespace StationEdge.Vision.Tests.Evaluation;

/// <summary>The stranger tail model: a normal fit of the whole distribution against one of its upper tail, on synthetic scores.</summary>
public sealed class StrangerTailTests
{
    private const double PairRate = 0.001;

    [Fact]
    public void HeavyTail_WholeFitIsOptimistic_TailFitIsClose()
    {
        // A logistic tail (heavier than normal, as lookalikes make the East Asian photo sets' tail).
        var random = new Random(1);
        double Draw()
        {
            var u = random.NextDouble();
            return 0.15 + (0.07 * Math.Log(u / (1 - u)));
        }

        var truth = Empirical(Enumerable.Range(0, 400_000).Select(_ => Draw()).ToList(), PairRate);
        var sample = Enumerable.Range(0, 20_000).Select(_ => Draw()).ToList();

        var whole = StrangerTail.Fit(sample).ThresholdFor(PairRate, 1) - truth;
        var tail = StrangerTail.FitUpperTail(sample).ThresholdFor(PairRate, 1) - truth;

        Assert.True(whole < -0.05, $"the whole-distribution fit should sit well below the true 1-in-1,000 score {truth:0.000}; it is {whole:+0.000;-0.000}");
        Assert.True(Math.Abs(tail) < Math.Abs(whole) / 3, $"the tail fit is {tail:+0.000;-0.000} off the true 1-in-1,000 score {truth:0.000} (the whole fit {whole:+0.000;-0.000})");
    }

    [Fact]
    public void LightTail_WholeFitIsPessimistic_TailFitIsClose()
    {
        // A bounded tail (a sum of three uniforms: lighter than normal) refuses riders for nothing under a normal fit.
        var random = new Random(3);
        double Draw() => (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5) * 0.2;
        var truth = Empirical(Enumerable.Range(0, 400_000).Select(_ => Draw()).ToList(), PairRate);
        var sample = Enumerable.Range(0, 20_000).Select(_ => Draw()).ToList();

        var whole = StrangerTail.Fit(sample).ThresholdFor(PairRate, 1) - truth;
        var tail = StrangerTail.FitUpperTail(sample).ThresholdFor(PairRate, 1) - truth;

        Assert.True(whole > 0.01, $"the whole-distribution fit should sit above the true 1-in-1,000 score {truth:0.000}; it is {whole:+0.000;-0.000}");
        Assert.True(Math.Abs(tail) < Math.Abs(whole) / 2, $"the tail fit is {tail:+0.000;-0.000} off, the whole fit {whole:+0.000;-0.000}");
    }

    [Fact]
    public void NormalScores_BothFitsAgree()
    {
        var sample = Normal(seed: 4, count: 20_000);

        var whole = StrangerTail.Fit(sample).ThresholdFor(PairRate, 1);
        var tail = StrangerTail.FitUpperTail(sample).ThresholdFor(PairRate, 1);

        Assert.InRange(tail - whole, -0.015, 0.015);
    }

    [Fact]
    public void FewScores_FallBackToTheWholeFit()
    {
        var sample = Normal(seed: 5, count: 50);

        Assert.Equal(StrangerTail.Fit(sample), StrangerTail.FitUpperTail(sample));
    }

    private static double Empirical(List<double> scores, double rate) =>
        scores.OrderDescending().ElementAt((int)Math.Ceiling(rate * scores.Count) - 1);

    private static List<double> Normal(int seed, int count)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => 0.15 + (0.12 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())))
            .ToList();
    }
}

using StationEdge.Vision.Evaluation;
using StationEdge.Vision.Recognition;
using StationEdge.Vision.Tests.Support;

namespace StationEdge.Vision.Tests.Evaluation;

/// <summary>The door simulation and the stranger-tail model on synthetic people: identities as random directions, photos as noisy copies.</summary>
public class OpenSetEvaluationTests
{
    private const int Dims = 128;

    [Fact]
    public void LeaveOnePersonOut_EveryPersonIsOnceAStranger_WithEveryPhoto_AgainstTheOthers()
    {
        var (gallery, walkUps) = People(people: 6, photos: 4, noise: 0.4f, seed: 1);

        var result = OpenSetEvaluation.Run(gallery, walkUps, StrangerProtocol.LeaveOnePersonOut, new GalleryOptions(Threshold: 0.5f));

        Assert.Equal(6, result.GalleryWorkers);
        Assert.Equal(5, result.StrangerGalleryWorkers);
        Assert.Equal(6 * 3, result.Enrolled.Count());
        Assert.Equal(6 * 4, result.Strangers.Count());
        Assert.Equal(6 * 4 * 5, result.StrangerPairScores.Count);
        Assert.All(result.Strangers, s => Assert.NotEqual(s.Person, s.TopWorker));
    }

    [Fact]
    public void Run_SeparatedPeople_LetsRidersInAndStrangersNot_AndALowThresholdLetsEveryoneIn()
    {
        var (gallery, walkUps) = People(people: 10, photos: 5, noise: 0.5f, seed: 2);

        var strict = OpenSetEvaluation.Run(gallery, walkUps, StrangerProtocol.LeaveOnePersonOut, new GalleryOptions(Threshold: 0.6f));
        var open = OpenSetEvaluation.Run(gallery, walkUps, StrangerProtocol.LeaveOnePersonOut, new GalleryOptions(Threshold: -1f));

        Assert.All(strict.Enrolled, o => Assert.True(o.LetIn && !o.WrongWorker, $"{o.Label} scored {o.Score}"));
        Assert.DoesNotContain(strict.Strangers, o => o.LetIn);
        Assert.All(open.Strangers, o => Assert.True(o.LetIn));
        Assert.Equal(strict.Enrolled.Count(), strict.EnrolledLetInAt(0.6));
        Assert.Equal(0, strict.StrangersLetInAt(0.6));
        Assert.Equal(strict.Strangers.Count(), strict.StrangersLetInAt(-1));
    }

    [Fact]
    public void Run_ProbeMatchingAnotherWorker_IsLetInAsSomeoneElse_AndALowQualityWalkUpIsRefused()
    {
        var a = Direction(new Random(3));
        var b = Direction(new Random(4));
        List<OpenSetPerson> gallery = [new("ana", [a]), new("bo", [b])];
        List<OpenSetWalkUp> walkUps = [new("ana", "ana/2.jpg", b, null), new("bo", "bo/2.jpg", null, "low quality: face turned 70°")];

        var result = OpenSetEvaluation.Run(gallery, walkUps, StrangerProtocol.NotInGallery, new GalleryOptions(Threshold: 0.5f));

        var wrong = Assert.Single(result.Enrolled, o => o.Person == "ana");
        Assert.True(wrong.WrongWorker);
        Assert.Equal("bo", wrong.TopWorker);
        var refused = Assert.Single(result.Enrolled, o => o.Person == "bo");
        Assert.False(refused.LetIn);
        Assert.Equal("low quality: face turned 70°", refused.Refusal);
        Assert.Empty(result.Strangers);
        Assert.Equal(0, result.EnrolledLetInAt(0.5));
    }

    [Fact]
    public void NotInGallery_WalkUpsOfPeopleWithoutTemplates_AreTheStrangers()
    {
        var (gallery, walkUps) = People(people: 5, photos: 3, noise: 0.3f, seed: 5);
        var withoutLast = gallery.Take(4).Append(new OpenSetPerson(gallery[4].Person, [])).ToList();

        var result = OpenSetEvaluation.Run(withoutLast, walkUps.Where(w => !w.Enrolled).ToList(), StrangerProtocol.NotInGallery, new GalleryOptions());

        Assert.Equal(4, result.GalleryWorkers);
        Assert.Equal(4, result.StrangerGalleryWorkers);
        Assert.All(result.Strangers, s => Assert.Equal(gallery[4].Person, s.Person));
        Assert.Equal(2, result.Strangers.Count());
    }

    [Fact]
    public void StrangerTail_FittedToNormalScores_RecoversThemAndItsThresholdsRoundTrip()
    {
        var rng = new Random(6);
        var scores = Enumerable.Range(0, 20_000).Select(_ => 0.15 + (0.13 * Gaussian(rng))).ToList();

        var tail = StrangerTail.Fit(scores);

        Assert.Equal(0.15, tail.Mean, 2);
        Assert.Equal(0.13, tail.Spread, 2);
        Assert.Equal(1.0005e-5, StrangerTail.PairRate(0.001, 100), 8);
        Assert.Equal(0.0, StrangerTail.InverseUpperTail(0.5), 6);
        Assert.Equal(0.025, StrangerTail.UpperTail(1.959964), 5);
        Assert.Equal(4.265, StrangerTail.InverseUpperTail(1e-5), 2);
        var atStation = tail.ThresholdFor(0.001, 100);
        Assert.Equal(0.001, tail.StrangerRateAt(atStation, 100), 6);
        Assert.True(tail.ThresholdFor(0.001, 1000) > atStation, "more workers need a stricter threshold");
    }

    /// <summary>Each person a random direction; each photo that plus noise of the given size, renormalised.</summary>
    private static (List<OpenSetPerson> Gallery, List<OpenSetWalkUp> WalkUps) People(int people, int photos, float noise, int seed)
    {
        var rng = new Random(seed);
        var gallery = new List<OpenSetPerson>();
        var walkUps = new List<OpenSetWalkUp>();
        for (var p = 0; p < people; p++)
        {
            var identity = Direction(rng);
            var shots = Enumerable.Range(0, photos).Select(_ => Normalise(identity.Zip(Direction(rng), (a, b) => a + (noise * b)).ToArray())).ToList();
            gallery.Add(new OpenSetPerson($"p{p}", [shots[0]]));
            walkUps.Add(new OpenSetWalkUp($"p{p}", $"p{p}/0.jpg", shots[0], null, Enrolled: true));
            walkUps.AddRange(shots.Skip(1).Select((s, i) => new OpenSetWalkUp($"p{p}", $"p{p}/{i + 1}.jpg", s, null)));
        }

        return (gallery, walkUps);
    }

    private static float[] Direction(Random rng) => Normalise([.. Enumerable.Range(0, Dims).Select(_ => (float)Gaussian(rng))]);

    private static float[] Normalise(float[] v) => UnitVectors.Normalise(v);

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}

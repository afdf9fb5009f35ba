using System.Runtime.Intrinsics;
using StationEdge.Vision.Recognition;
using StationEdge.Vision.Tests.Support;

namespace StationEdge.Vision.Tests.Recognition;

public class FaceGalleryTests
{
    private const string Model = "3f2a9c";
    private const int Dims = 192;

    /// <summary>Every path this CPU can run: TensorPrimitives always, each SIMD width where it is accelerated.</summary>
    public static TheoryData<DotProductPath> PathsHere()
    {
        var paths = new TheoryData<DotProductPath> { DotProductPath.TensorPrimitives };
        if (Vector128.IsHardwareAccelerated)
        {
            paths.Add(DotProductPath.Vector128);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            paths.Add(DotProductPath.Vector256);
        }

        return paths;
    }

    [Theory]
    [MemberData(nameof(PathsHere))]
    public void Search_WithEachDotProductPath_AgreesWithAScalarReference(DotProductPath path)
    {
        var rng = new Random(11);
        using var gallery = new FaceGallery(Model, Dims, new GalleryOptions { DotProduct = path, Templates = TemplateCombination.Best });
        var rows = new List<(string Worker, float[] Embedding)>();
        for (var i = 0; i < 300; i++)
        {
            rows.Add(($"w{i / 3}", RandomUnit(rng)));
            gallery.Add(Template(rows[^1].Worker, rows[^1].Embedding));
        }

        Assert.Equal(path, gallery.DotProduct);
        for (var q = 0; q < 40; q++)
        {
            // Near one worker's template, and not unit length: the gallery normalises the probe itself.
            var probe = Blend(rows[rng.Next(rows.Count)].Embedding, RandomUnit(rng), 0.4f).Select(x => x * 3.7f).ToArray();
            var norm = Math.Sqrt(probe.Sum(x => (double)x * x));
            var perWorker = rows
                .GroupBy(r => r.Worker)
                .Select(g => (Worker: g.Key, Score: g.Max(r => r.Embedding.Zip(probe, (a, b) => (double)a * b).Sum() / norm)))
                .OrderByDescending(w => w.Score)
                .ToList();

            var match = gallery.Search(probe);

            Assert.Equal(perWorker[0].Worker, match.WorkerId);
            Assert.Equal(perWorker[1].Worker, match.SecondWorkerId);
            Assert.Equal(perWorker[0].Score, match.Score, 1e-5);
            Assert.Equal(perWorker[0].Score - perWorker[1].Score, match.Margin, 1e-5);
        }
    }

    [Fact]
    public void DotProduct_Auto_IsTheWidestAcceleratedWidth()
    {
        using var gallery = new FaceGallery(Model, Dims);

        var expected = Vector256.IsHardwareAccelerated ? DotProductPath.Vector256
            : Vector128.IsHardwareAccelerated ? DotProductPath.Vector128
            : DotProductPath.TensorPrimitives;
        Assert.Equal(expected, gallery.DotProduct);
    }

    [Theory]
    [InlineData(DotProductPath.Vector128)]
    [InlineData(DotProductPath.Vector256)]
    public void DotProduct_ForcedWidthThatDoesNotDivideTheDimensions_IsRefused(DotProductPath path)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new FaceGallery(Model, 12, new GalleryOptions { DotProduct = path }));

        Assert.Contains("12 dimensions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DotProduct_Auto_WithDimensionsNoWidthDivides_FallsBackToTensorPrimitives()
    {
        using var gallery = new FaceGallery(Model, 12);
        gallery.Add(Template("w", [.. Enumerable.Range(1, 12).Select(i => (float)i)]));

        Assert.Equal(DotProductPath.TensorPrimitives, gallery.DotProduct);
        Assert.Equal(1f, gallery.Search([.. Enumerable.Range(1, 12).Select(i => (float)i)]).Score, 5);
    }

    [Fact]
    public void Search_ProbeNearOneWorker_IsKnownWithThatWorkerAndTheMarginToTheNext()
    {
        var rng = new Random(7);
        using var gallery = new FaceGallery(Model, Dims);
        var anna = RandomUnit(rng);
        var bo = RandomUnit(rng);
        gallery.Add(Template("anna", Blend(anna, RandomUnit(rng), 0.3f)));
        gallery.Add(Template("anna", Blend(anna, RandomUnit(rng), 0.1f)));
        gallery.Add(Template("bo", bo));
        var probe = Blend(anna, RandomUnit(rng), 0.2f);

        var match = gallery.Search(probe);

        Assert.Equal(MatchDecision.Known, match.Decision);
        Assert.Equal("anna", match.WorkerId);
        Assert.Equal("bo", match.SecondWorkerId);
        Assert.True(match.Score > 0.55f && match.Score <= 1.0001f);
        Assert.Equal(match.Score - Cos(probe, bo), match.Margin, 4);
    }

    [Fact]
    public void Search_WithBestTemplates_ScoreIsTheMaxOverAWorkersTemplates()
    {
        using var gallery = new FaceGallery(Model, Dims, options: new GalleryOptions { Templates = TemplateCombination.Best });
        var probe = Axis(0);
        gallery.Add(Template("w1", Mix(0, 0.5f, 1)));
        gallery.Add(Template("w1", Mix(0, 0.9f, 1)));
        gallery.Add(Template("w2", Mix(0, 0.7f, 2)));

        var match = gallery.Search(probe);

        Assert.Equal("w1", match.WorkerId);
        Assert.Equal(0.9f, match.Score, 4);
        Assert.Equal(0.9f - 0.7f, match.Margin, 4);
        Assert.Equal("w2", match.SecondWorkerId);
    }

    [Fact]
    public void Search_HighScoreButSmallMargin_IsUnknown()
    {
        using var gallery = new FaceGallery(Model, Dims, options: new GalleryOptions(Threshold: 0.55f, MinMargin: 0.05f));
        gallery.Add(Template("twin-a", Mix(0, 0.80f, 1)));
        gallery.Add(Template("twin-b", Mix(0, 0.78f, 2)));

        var match = gallery.Search(Axis(0));

        Assert.Equal(MatchDecision.Unknown, match.Decision);
        Assert.Equal("twin-a", match.WorkerId);
        Assert.Equal(0.02f, match.Margin, 4);
    }

    [Fact]
    public void Search_ScoreBelowThreshold_IsUnknown()
    {
        using var gallery = new FaceGallery(Model, Dims);
        gallery.Add(Template("w1", Mix(0, 0.5f, 1)));
        gallery.Add(Template("w2", Mix(0, 0.1f, 2)));

        var match = gallery.Search(Axis(0));

        Assert.Equal(MatchDecision.Unknown, match.Decision);
        Assert.Equal(0.5f, match.Score, 4);
    }

    [Fact]
    public void Search_EmptyGallery_IsUnknownWithNoWorker()
    {
        using var gallery = new FaceGallery(Model, Dims);

        var match = gallery.Search(Axis(3));

        Assert.Equal(MatchDecision.Unknown, match.Decision);
        Assert.Null(match.WorkerId);
    }

    [Fact]
    public void Search_SingleWorker_MarginIsMeasuredAgainstZero()
    {
        using var gallery = new FaceGallery(Model, Dims, options: new GalleryOptions(Threshold: 0.55f));
        gallery.Add(Template("solo", Mix(0, 0.7f, 1)));

        var match = gallery.Search(Axis(0));

        Assert.Equal(MatchDecision.Known, match.Decision);
        Assert.Equal(0.7f, match.Margin, 4);
        Assert.Null(match.SecondWorkerId);
    }

    [Fact]
    public void Search_UnnormalisedProbeAndTemplates_ScoreIsCosine()
    {
        using var gallery = new FaceGallery(Model, Dims);
        var t = Mix(0, 0.6f, 1);
        for (var i = 0; i < t.Length; i++)
        {
            t[i] *= 3.5f;
        }

        gallery.Add(Template("w", t));
        var probe = Axis(0);
        probe[0] = 10f;

        Assert.Equal(0.6f, gallery.Search(probe).Score, 4);
    }

    [Fact]
    public void Add_TemplateFromAnotherModel_IsRejectedNamingBothModels()
    {
        using var gallery = new FaceGallery(Model, Dims);

        var error = Assert.Throws<ArgumentException>(() => gallery.Add(new FaceTemplate(Guid.NewGuid(), "w", Axis(0), "other-model")));
        Assert.Contains("other-model", error.Message, StringComparison.Ordinal);
        Assert.Contains(Model, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, gallery.Count);
    }

    [Fact]
    public void Add_WrongDimensionsOrZeroVector_IsRejected()
    {
        using var gallery = new FaceGallery(Model, Dims);

        Assert.Throws<ArgumentException>(() => gallery.Add(new FaceTemplate(Guid.NewGuid(), "w", new float[128], Model)));
        Assert.Throws<ArgumentException>(() => gallery.Add(new FaceTemplate(Guid.NewGuid(), "w", new float[Dims], Model)));
    }

    [Fact]
    public void Remove_Template_StopsItMatchingAndKeepsTheOthers()
    {
        using var gallery = new FaceGallery(Model, Dims, initialCapacity: 1);
        var near = Template("w1", Mix(0, 0.95f, 1));
        gallery.Add(near);
        gallery.Add(Template("w2", Mix(0, 0.6f, 2)));
        gallery.Add(Template("w3", Mix(0, 0.3f, 3)));

        Assert.True(gallery.Remove(near.Id));
        Assert.False(gallery.Remove(near.Id));

        var match = gallery.Search(Axis(0));
        Assert.Equal("w2", match.WorkerId);
        Assert.Equal("w3", match.SecondWorkerId);
        Assert.Equal(2, gallery.Count);
        Assert.Equal(2, gallery.WorkerCount);
    }

    [Fact]
    public void RemoveWorker_RemovesAllTheirTemplates()
    {
        using var gallery = new FaceGallery(Model, Dims);
        gallery.Add(Template("w1", Mix(0, 0.9f, 1)));
        gallery.Add(Template("w2", Mix(0, 0.6f, 2)));
        gallery.Add(Template("w1", Mix(0, 0.8f, 3)));
        gallery.Add(Template("w1", Mix(0, 0.85f, 4)));

        Assert.Equal(3, gallery.RemoveWorker("w1"));

        var match = gallery.Search(Axis(0));
        Assert.Equal("w2", match.WorkerId);
        Assert.Equal(1, gallery.Count);
        Assert.Equal(1, gallery.WorkerCount);
    }

    [Fact]
    public void Search_ManyTemplates_FindsThePlantedWorker()
    {
        var rng = new Random(11);
        using var gallery = new FaceGallery(Model, Dims);
        for (var i = 0; i < 5000; i++)
        {
            gallery.Add(Template($"w{i % 1700}", RandomUnit(rng)));
        }

        var target = RandomUnit(rng);
        gallery.Add(Template("target", target));

        var match = gallery.Search(Blend(target, RandomUnit(rng), 0.3f));

        Assert.Equal("target", match.WorkerId);
        Assert.Equal(MatchDecision.Known, match.Decision);
    }

    [Fact]
    public void AfterAnAddOrARemove_TheThresholdIsCalibratedAlready_AndASearchDoesNotCalibrate()
    {
        var rng = new Random(5);
        using var gallery = new FaceGallery(Model, Dims);
        var refused = gallery.AddRange(Enumerable.Range(0, 40).Select(i => Template($"w{i / 2}", RandomUnit(rng))).ToList());
        Assert.Empty(refused);

        // One calibration for the batch, done by the adding thread: the pair statistics are there before any search.
        Assert.Equal(1, gallery.Calibrations);
        var (_, _, pairs) = gallery.WorkerPairScores;
        Assert.Equal(20 * 19 / 2, pairs);
        var threshold = gallery.CurrentThreshold;

        gallery.Search(RandomUnit(rng));
        gallery.Search(RandomUnit(rng));
        Assert.Equal(1, gallery.Calibrations);

        var added = Template("w-new", RandomUnit(rng));
        gallery.Add(added);
        Assert.Equal((2, 21L * 20 / 2), (gallery.Calibrations, gallery.WorkerPairScores.Pairs));
        Assert.Equal(gallery.CurrentThreshold, gallery.Search(RandomUnit(rng)).Threshold);
        Assert.Equal(2, gallery.Calibrations);

        Assert.True(gallery.Remove(added.Id));
        Assert.Equal((3, 20L * 19 / 2, threshold), (gallery.Calibrations, gallery.WorkerPairScores.Pairs, gallery.CurrentThreshold));
    }

    private static FaceTemplate Template(string worker, float[] embedding) => new(Guid.NewGuid(), worker, embedding, Model);

    private static float[] Axis(int i) => UnitVectors.Axis(i, Dims);

    private static float[] Mix(int along, float cos, int other) => UnitVectors.Mix(along, cos, other, Dims);

    private static float[] RandomUnit(Random rng)
    {
        var v = new float[Dims];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        return UnitVectors.Normalise(v);
    }

    private static float[] Blend(float[] a, float[] b, float t) => UnitVectors.Blend(a, b, t);

    private static float Cos(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();
}

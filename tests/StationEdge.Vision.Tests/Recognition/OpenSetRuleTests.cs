using StationEdge.Vision.Detection;
using StationEdge.Vision.Quality;
using StationEdge.Vision.Recognition;
using StationEdge.Vision.Tests.Support;

namespace StationEdge.Vision.Tests.Recognition;

/// <summary>The door's decision rule on synthetic embeddings: gallery size, template centroids, walk-up fusion, quality refusal.</summary>
public class OpenSetRuleTests
{
    private const string Model = "7c1e44";
    private const int Dims = 64;

    [Fact]
    public void ThresholdFor_IsTheThresholdUpToTheReferenceSize_AndRisesPerTenfoldPastIt()
    {
        var rule = new GalleryOptions(Threshold: 0.70f) { ReferenceWorkers = 100, StricterPerDecade = 0.06f };

        Assert.Equal(0.70f, rule.ThresholdFor(1));
        Assert.Equal(0.70f, rule.ThresholdFor(100));
        Assert.Equal(0.76f, rule.ThresholdFor(1_000), 5);
        Assert.Equal(0.82f, rule.ThresholdFor(10_000), 5);
        Assert.True(rule.ThresholdFor(101) > 0.70f);
    }

    [Fact]
    public void Search_WhenTheGalleryGrowsPastTheReferenceSize_RefusesAScoreItAcceptedBefore()
    {
        var rng = new Random(3);
        var rule = new GalleryOptions(Threshold: 0.70f) { ReferenceWorkers = 10, StricterPerDecade = 0.1f };
        using var gallery = new FaceGallery(Model, Dims, rule);
        var probe = Axis(0);
        gallery.Add(Template("rider", Mix(0, 0.75f, 1)));
        for (var i = 0; i < 9; i++)
        {
            gallery.Add(Template($"other{i}", Orthogonal(rng, 0, 1)));
        }

        var small = gallery.Search(probe);
        for (var i = 9; i < 99; i++)
        {
            gallery.Add(Template($"other{i}", Orthogonal(rng, 0, 1)));
        }

        var large = gallery.Search(probe);

        Assert.True(small.IsKnown, $"score {small.Score} at threshold {small.Threshold}");
        Assert.Equal(0.70f, small.Threshold);
        Assert.Equal("rider", large.WorkerId);
        Assert.Equal(0.75f, large.Score, 4);
        Assert.Equal(0.80f, large.Threshold, 4);
        Assert.False(large.IsKnown);
        Assert.Equal(0.80f, gallery.CurrentThreshold, 4);
    }

    [Fact]
    public void Search_WithCentroids_RefusesAStrangerNearOneTemplate_AndTakesAProbeBetweenThem()
    {
        var rule = new GalleryOptions(Threshold: 0.73f);
        using var centroid = new FaceGallery(Model, Dims, rule);
        using var best = new FaceGallery(Model, Dims, rule with { Templates = TemplateCombination.Best });
        foreach (var gallery in new[] { centroid, best })
        {
            gallery.Add(Template("rider", Axis(0)));
            gallery.Add(Template("rider", Axis(1)));
            gallery.Add(Template("other", Axis(5)));
        }

        // Close to one enrolment photo only; the rider themself sits between their two photos.
        var stranger = Mix(0, 0.8f, 3);
        var rider = Normalise([.. Axis(0).Zip(Axis(1), (a, b) => a + b).Zip(Axis(4), (ab, c) => ab + (0.4f * c))]);

        Assert.True(best.Search(stranger).IsKnown);
        Assert.False(centroid.Search(stranger).IsKnown);
        Assert.Equal(0.8f / MathF.Sqrt(2), centroid.Search(stranger).Score, 4);
        Assert.True(centroid.Search(rider).IsKnown);
        Assert.False(best.Search(rider).IsKnown);
    }

    [Fact]
    public void Centroid_AfterATemplateIsRemoved_IsTheRemainingTemplates()
    {
        using var gallery = new FaceGallery(Model, Dims);
        var first = Template("rider", Axis(0));
        var second = Template("rider", Axis(1));
        gallery.Add(first);
        gallery.Add(second);
        gallery.Add(Template("other", Axis(7)));

        Assert.Equal(1 / MathF.Sqrt(2), gallery.Search(Axis(0)).Score, 4);
        Assert.True(gallery.Remove(second.Id));
        Assert.Equal(1f, gallery.Search(Axis(0)).Score, 4);
        Assert.Equal(1, gallery.RemoveWorker("rider"));
        Assert.Equal("other", gallery.Search(Axis(0)).WorkerId);
        Assert.Equal(1, gallery.WorkerCount);
    }

    [Fact]
    public void Fuse_IsTheRenormalisedSumOfUnitVectors_WhateverTheirScaleOrOrder()
    {
        var a = Mix(0, 0.6f, 1);
        var b = Axis(0).Select(x => x * 4f).ToArray();

        var fused = WalkUpFusion.Fuse([a, b]);
        var reversed = WalkUpFusion.Fuse([b, a]);

        var expected = Normalise([.. a.Zip(Axis(0), (x, y) => x + y)]);
        Assert.Equal(expected, fused, new Tolerance(1e-6f));
        Assert.Equal(fused, reversed, new Tolerance(1e-6f));
        Assert.Equal(1f, MathF.Sqrt(fused.Sum(x => x * x)), 5);
    }

    [Fact]
    public void Fuse_RefusesNoFramesDifferentLengthsAndZeroVectors()
    {
        Assert.Throws<ArgumentException>(() => WalkUpFusion.Fuse([]));
        Assert.Throws<ArgumentException>(() => WalkUpFusion.Fuse([Axis(0), new float[Dims + 1]]));
        Assert.Throws<ArgumentException>(() => WalkUpFusion.Fuse([Axis(0), new float[Dims]]));
        Assert.Throws<ArgumentException>(() => WalkUpFusion.Fuse([Axis(0), Axis(0).Select(x => -x).ToArray()]));
    }

    [Fact]
    public void Decide_OneLuckyFrameOfAStranger_DoesNotOpenTheDoor_ButARidersFramesDo()
    {
        var rng = new Random(5);
        using var gallery = new FaceGallery(Model, Dims, new GalleryOptions(Threshold: 0.73f));
        gallery.Add(Template("rider", Axis(0)));
        gallery.Add(Template("other", Axis(9)));
        var gate = new QualityGate(QualityGateOptions.Probe);

        // Four frames unlike the rider and one that happens to score 0.8: any-frame or best-frame rules would open.
        List<FaceAnalysis> stranger = [.. Enumerable.Range(0, 4).Select(_ => Frame(Blend(Orthogonal(rng, 0, 9), Axis(0), 0.1f))), Frame(Mix(0, 0.8f, 2))];
        List<FaceAnalysis> rider = [.. Enumerable.Range(0, 5).Select(_ => Frame(Blend(Axis(0), Orthogonal(rng, 0, 9), 0.35f)))];

        var strangerWalkUp = WalkUpFusion.Decide(gallery, stranger, gate);
        var riderWalkUp = WalkUpFusion.Decide(gallery, rider, gate);

        Assert.Contains(stranger, f => gallery.Search(f.Embedding).IsKnown);
        Assert.False(strangerWalkUp.IsKnown, $"fused stranger scored {strangerWalkUp.Match!.Score}");
        Assert.Equal(5, strangerWalkUp.FramesUsed);
        Assert.True(riderWalkUp.IsKnown, $"fused rider scored {riderWalkUp.Match!.Score}");
        Assert.Equal("rider", riderWalkUp.Match.WorkerId);
    }

    [Fact]
    public void Decide_LeavesLowQualityFramesOut_AndRefusesAWalkUpOfOnlyLowQualityFrames()
    {
        using var gallery = new FaceGallery(Model, Dims, new GalleryOptions(Threshold: 0.73f));
        gallery.Add(Template("rider", Axis(0)));
        gallery.Add(Template("other", Axis(9)));
        var gate = new QualityGate(QualityGateOptions.Probe);

        // A side-on frame that would match the other worker, next to two frontal frames of the rider.
        var mixed = WalkUpFusion.Decide(gallery, [Frame(Axis(0)), Frame(Axis(9), yaw: 75), Frame(Axis(0))], gate);
        var sideOn = WalkUpFusion.Decide(gallery, [Frame(Axis(0), yaw: -70), Frame(Axis(0), eyes: 9)], gate);

        Assert.True(mixed.IsKnown);
        Assert.Equal((2, 1), (mixed.FramesUsed, mixed.FramesRefused));
        Assert.Equal(1f, mixed.Match!.Score, 4);
        Assert.False(sideOn.IsKnown);
        Assert.Null(sideOn.Match);
        Assert.Equal("low quality: the face is too small: 9 px between the eyes, at least 16", sideOn.LowQuality);
        Assert.Equal("low quality: the face is turned: 70° to the side, at most 60", WalkUpFusion.LowQuality(gate, Frame(Axis(0), yaw: -70)));
        Assert.Null(WalkUpFusion.LowQuality(gate, Frame(Axis(0), yaw: 59.9f, eyes: 16)));
    }

    private static FaceAnalysis Frame(float[] embedding, float yaw = 0, float eyes = 60) =>
        new(new DetectedFace(new System.Drawing.RectangleF(0, 0, 100, 100), new System.Drawing.PointF[6], 0.9f, "front"), new FaceQuality(0.9f, eyes, yaw, 100, 120), embedding);

    private static FaceTemplate Template(string worker, float[] embedding) => new(Guid.NewGuid(), worker, embedding, Model);

    private static float[] Axis(int i) => UnitVectors.Axis(i, Dims);

    private static float[] Mix(int along, float cos, int other) => UnitVectors.Mix(along, cos, other, Dims);

    /// <summary>A random unit vector with no component along the given axes.</summary>
    private static float[] Orthogonal(Random rng, params int[] axes)
    {
        var v = new float[Dims];
        for (var i = 0; i < Dims; i++)
        {
            v[i] = axes.Contains(i) ? 0 : (float)((rng.NextDouble() * 2) - 1);
        }

        return Normalise(v);
    }

    private static float[] Blend(float[] a, float[] b, float t) => UnitVectors.Blend(a, b, t);

    private static float[] Normalise(float[] v) => UnitVectors.Normalise(v);

    private sealed class Tolerance(float epsilon) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => MathF.Abs(x - y) <= epsilon;

        public int GetHashCode(float obj) => 0;
    }
}

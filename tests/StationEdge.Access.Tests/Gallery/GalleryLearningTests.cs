using StationEdge.Access.Gallery;

namespace StationEdge.Access.Tests.Gallery;

public sealed class GalleryLearningTests
{
    private static readonly LearningLimits Limits = new(ClearBy: 0.08f, PassFloor: 0.30f, MaxCentroidMove: 0.15f);

    private static float[] Vector(int seed)
    {
        var random = new Random(seed);
        var v = new float[512];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return v;
    }

    [Fact]
    public void StrangerGrantedOnce_NearTheThreshold_IsNotLearned_SoTheBarDoesNotMove()
    {
        Assert.NotNull(GalleryLearning.RefuseGrant(score: 0.62f, margin: 0.2f, livenessPassed: true, threshold: 0.60f, minMargin: 0.05f, Limits));
        Assert.Null(GalleryLearning.RefuseGrant(score: 0.75f, margin: 0.2f, livenessPassed: true, threshold: 0.60f, minMargin: 0.05f, Limits));
        Assert.NotNull(GalleryLearning.RefuseGrant(score: 0.75f, margin: 0.2f, livenessPassed: false, threshold: 0.60f, minMargin: 0.05f, Limits));
    }

    [Fact]
    public void PassConfirmed_WithAnImplausibleFace_IsRefusedWithTheReason()
    {
        var own = Vector(1);
        var stranger = Vector(2);
        var reason = GalleryLearning.RefusePassConfirmed(stranger, [own], Limits);
        Assert.Contains("impostor-tail floor", reason, StringComparison.Ordinal);
        var sameFace = own.Select((x, i) => x + (0.3f * stranger[i])).ToArray();
        Assert.Null(GalleryLearning.RefusePassConfirmed(sameFace, [own], Limits));
    }

    [Fact]
    public void LearnedTemplate_ThatWouldDragTheCentroid_IsRefused()
    {
        var own = Vector(1);
        Assert.NotNull(GalleryLearning.RefuseMove(Vector(3), [own], Limits));
        Assert.Null(GalleryLearning.RefuseMove(own, [own], Limits));
    }
}

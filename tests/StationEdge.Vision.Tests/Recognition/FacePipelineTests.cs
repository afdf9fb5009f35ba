using System.Drawing;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Recognition;
using StationEdge.Vision.Tests.Support;

namespace StationEdge.Vision.Tests.Recognition;

public sealed class FacePipelineTests(FaceModelsFixture models) : IClassFixture<FaceModelsFixture>
{
    private FacePipeline Pipeline => models.Pipeline;

    [FacesDevFact]
    public async Task Embeddings_SamePersonPair_ScoreHigherThanADifferentPersonPair()
    {
        // pairs.csv: img20/img21 same = 1, img20/img1 same = 0.
        var a = await EmbedOnlyFaceAsync("img20.jpg");
        var same = await EmbedOnlyFaceAsync("img21.jpg");
        var other = await EmbedOnlyFaceAsync("img1.jpg");

        var sameScore = Cosine(a, same);
        var otherScore = Cosine(a, other);

        Assert.True(sameScore > otherScore + 0.2f, $"same {sameScore:F3}, different {otherScore:F3}");
        Assert.True(sameScore >= GalleryOptions.DefaultThreshold, $"same-person cosine {sameScore:F3} under the default threshold");
    }

    [FacesDevFact]
    public async Task Analyze_TwoFaces_EmbedsThemInOneBatchLikeOneByOne()
    {
        using var image = await FacesDevPhotos.LoadAsync("couple.jpg");

        var analyses = Pipeline.Analyze(image);

        Assert.Equal(2, analyses.Length);
        foreach (var analysis in analyses)
        {
            var single = Pipeline.Models.Embedder!.Embed(image, analysis.Face, Pipeline.Models.Alignment);
            Assert.Equal(1f, Cosine(analysis.Embedding, single), 4);
            Assert.Equal(1f, Cosine(analysis.Embedding, analysis.Embedding), 4);
        }

        Assert.True(Cosine(analyses[0].Embedding, analyses[1].Embedding) < 0.5f, "two different people");
    }

    [FacesDevFact]
    public async Task Analyze_FrontalPortrait_ReportsPlausibleQuality()
    {
        using var image = await FacesDevPhotos.LoadAsync("img1.jpg");

        var analysis = Assert.Single(Pipeline.Analyze(image));

        var q = analysis.Quality;
        Assert.Equal(analysis.Face.Score, q.DetectorScore);
        Assert.InRange(q.InterEyeDistance, analysis.Face.Box.Width * 0.2f, analysis.Face.Box.Width * 0.6f);
        Assert.InRange(q.YawDegrees, -25f, 25f);
        Assert.InRange(q.Brightness, 20f, 235f);
        Assert.True(q.Sharpness > 0f);
        Assert.Equal(512, analysis.Embedding.Length);
    }

    [FacesDevFact]
    public async Task Analyze_MaxFaces_LimitsToTheHighestScoring()
    {
        using var image = await FacesDevPhotos.LoadAsync("couple.jpg");

        var one = Assert.Single(Pipeline.Analyze(image, maxFaces: 1));

        Assert.Equal(Pipeline.Detect(image)[0].Score, one.Face.Score);
    }

    [FacesDevFact]
    public async Task Gallery_EnrolledWorkers_IdentifiesAnotherPhotoOfOneAndRejectsAStranger()
    {
        // One photo each of five people from pairs.csv; img2 is the img1 person, img8 is none of them.
        using var gallery = Pipeline.CreateGallery();
        foreach (var (worker, photo) in new[] { ("w-1", "img1.jpg"), ("w-13", "img13.jpg"), ("w-16", "img16.jpg"), ("w-20", "img20.jpg"), ("w-22", "img22.jpg") })
        {
            gallery.Add(new FaceTemplate(Guid.NewGuid(), worker, await EmbedOnlyFaceAsync(photo), Pipeline.EmbedderSha256));
        }

        var known = gallery.Search(await EmbedOnlyFaceAsync("img2.jpg"));
        var stranger = gallery.Search(await EmbedOnlyFaceAsync("img8.jpg"));

        Assert.Equal(MatchDecision.Known, known.Decision);
        Assert.Equal("w-1", known.WorkerId);
        Assert.Equal(MatchDecision.Unknown, stranger.Decision);
    }

    [FacesDevFact]
    public async Task CheckLiveness_GenuinePortrait_IsLive()
    {
        using var image = await FacesDevPhotos.LoadAsync("img1.jpg");
        var face = Pipeline.Detect(image)[0];

        var result = Pipeline.CheckLiveness(image, face);

        Assert.True(result.IsLive, $"score {result.Score:F3}");
        Assert.True(result.Score >= 0f);
    }

    [Fact]
    public void Analyze_FaceWithCollapsedKeypoints_IsLeftOutAndTheOthersKept()
    {
        using var image = new RgbImage(256, 256);
        image.Fill(128, 110, 100);
        var collapsed = Face(Enumerable.Repeat(new PointF(120, 120), 6));

        var analyses = Pipeline.Analyze(image, [PlausibleFace, collapsed]);

        Assert.Same(PlausibleFace, Assert.Single(analyses).Face);
    }

    [Fact]
    public void Analyze_FaceWithNonFiniteKeypoints_ThrowsInsteadOfDroppingIt()
    {
        // No detector gives NaN keypoints: one that does is broken, and hiding that would look like "no face".
        using var image = new RgbImage(256, 256);
        image.Fill(128, 110, 100);
        var broken = Face(PlausibleFace.Keypoints.Select((p, k) => k == 2 ? new PointF(float.NaN, p.Y) : p));

        var e = Assert.Throws<ArgumentException>(() => Pipeline.Analyze(image, [PlausibleFace, broken]));

        Assert.Contains("not finite", e.Message, StringComparison.Ordinal);
    }

    private static readonly DetectedFace PlausibleFace = Face([new(100, 110), new(150, 110), new(125, 140), new(125, 165), new(80, 115), new(170, 115)]);

    private static DetectedFace Face(IEnumerable<PointF> keypoints) => new(new RectangleF(70, 80, 110, 110), [.. keypoints], 0.9f, "test");

    private async Task<float[]> EmbedOnlyFaceAsync(string photo)
    {
        using var image = await FacesDevPhotos.LoadAsync(photo);
        return Assert.Single(Pipeline.Analyze(image)).Embedding;
    }

    private static float Cosine(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);
}

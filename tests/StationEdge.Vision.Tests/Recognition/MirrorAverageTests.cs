using StationEdge.Vision.Alignment;
using StationEdge.Vision.Embedding;
using StationEdge.Vision.Recognition;
using StationEdge.Vision.Tests.Onnx;
using StationEdge.Vision.Tests.Support;

namespace StationEdge.Vision.Tests.Recognition;

/// <summary>Mirror averaging with the real embedders: a face and its mirror image give one template.</summary>
public sealed class MirrorAverageTests
{
    public static TheoryData<EmbedderModel> Embedders() => [EmbedderModel.Faceplugin, EmbedderModel.MobileFaceNet];

    [FacesDevTheory]
    [MemberData(nameof(Embedders))]
    public async Task Embed_WithMirrorAveraging_GivesAFaceAndItsMirrorTheSameEmbedding(EmbedderModel embedder)
    {
        var (face, mirrored) = await AlignedAndMirroredAsync("img1.jpg");
        using var averaged = FaceModels.Load(OnnxTestModels.Directory, Options(embedder, mirror: true));
        using var plain = FaceModels.Load(OnnxTestModels.Directory, Options(embedder, mirror: false));

        var a = averaged.Embedder!.Embed(face);
        var b = averaged.Embedder.Embed(mirrored);
        var plainA = plain.Embedder!.Embed(face);
        var plainB = plain.Embedder.Embed(mirrored);

        Assert.True(averaged.Embedder.MirrorAverage);
        Assert.Equal(1f, Dot(a, a), 4);
        Assert.True(Dot(a, b) > 0.99999f, $"mirror-averaged embeddings of a face and its mirror: cosine {Dot(a, b)}");
        Assert.True(Dot(plainA, plainB) < 0.999f, $"without averaging a face and its mirror differ (cosine {Dot(plainA, plainB)}), or this test proves nothing");
        Assert.NotEqual(averaged.EmbedderSha256, plain.EmbedderSha256);
        Assert.Matches("^[0-9a-f]{64}$", averaged.EmbedderSha256!);
    }

    [Fact]
    public void Faceplugin_IsTheDefaultEmbedder_512Dimensions_NchwWithMirrorAveraging()
    {
        using var models = FaceModels.Load(OnnxTestModels.Directory, new VisionOptions { IntraOpThreads = 1, Parts = FaceModelParts.Embedder });

        Assert.Equal(512, models.Embedder!.Dimensions);
        Assert.Equal(EmbedderLayout.Nchw, models.Embedder.Layout);
        Assert.True(models.Embedder.MirrorAverage);
    }

    private static VisionOptions Options(EmbedderModel embedder, bool mirror) =>
        new() { IntraOpThreads = 1, Parts = FaceModelParts.Detector | FaceModelParts.Embedder, Embedder = embedder, MirrorAverage = mirror };

    private static async Task<(float[] Face, float[] Mirrored)> AlignedAndMirroredAsync(string photo)
    {
        using var image = await FacesDevPhotos.LoadAsync(photo);
        using var models = FaceModels.Load(OnnxTestModels.Directory, new VisionOptions { IntraOpThreads = 1, Parts = FaceModelParts.Detector });
        var face = new float[FaceAligner.TensorLength];
        FaceAligner.Align(image, models.Detector!.Detect(image)[0], face);
        var mirrored = new float[FaceAligner.TensorLength];
        const int s = FaceAligner.Size;
        for (var y = 0; y < s; y++)
        {
            for (var x = 0; x < s; x++)
            {
                face.AsSpan(((y * s) + x) * 3, 3).CopyTo(mirrored.AsSpan(((y * s) + (s - 1 - x)) * 3, 3));
            }
        }

        return (face, mirrored);
    }

    private static float Dot(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();
}

using StationEdge.Cli.Tests.Vision;
using StationEdge.Store;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Recognition;

namespace StationEdge.Cli.Tests.Records;

/// <summary>
/// Every face of the six demo photos through the real pipeline, once per test class: its embedding by the installed
/// embedder, its quality and its aligned 112×112 crop — what an enrollment with <c>Store:KeepCrops</c> stores.
/// </summary>
public sealed class DemoFaces : IAsyncLifetime
{
    public sealed record Face(int Photo, float[] Embedding, TemplateQuality Quality, byte[] Crop);

    public IReadOnlyList<Face> Faces { get; private set; } = [];

    /// <summary>The installed embedder's sha256: what reembed re-embeds to.</summary>
    public string InstalledSha { get; private set; } = "";

    /// <summary>The installed embedder's tag on BlazeFace's keypoints: what a station enrolled before landmark alignment holds.</summary>
    public string KeypointSha { get; private set; } = "";

    public async Task InitializeAsync()
    {
        using var pipeline = FacePipeline.Load(TestModels.Directory);
        InstalledSha = pipeline.EmbedderSha256;
        KeypointSha = StationEdge.Vision.Embedding.FaceEmbedder.TagFor(pipeline.Models.Embedder!.ModelSha256, pipeline.Models.Embedder.MirrorAverage, alignmentTag: null);
        var decoder = new PhotoDecoder();
        var faces = new List<Face>();
        for (var photo = 1; photo <= 6; photo++)
        {
            using var image = (await decoder.DecodeAsync(TestModels.DemoPhoto(photo), CancellationToken.None)).Image;
            foreach (var analysis in pipeline.Analyze(image))
            {
                using var crop = pipeline.Models.Alignment.AlignToImage(image, analysis.Face);
                var q = analysis.Quality;
                faces.Add(new Face(photo, analysis.Embedding, new TemplateQuality(q.InterEyeDistance, q.YawDegrees, q.Sharpness, q.Brightness, q.DetectorScore), crop.Pixels.ToArray()));
            }
        }

        Faces = faces;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The face as a template of <paramref name="sha"/> (the old embedder's, by default), with its crop.</summary>
    public static NewTemplate Template(Face face, string sha = StationData.OldSha) =>
        new(sha, face.Embedding, face.Quality) { Crop = face.Crop };
}

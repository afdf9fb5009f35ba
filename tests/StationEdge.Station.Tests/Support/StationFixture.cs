using Microsoft.Extensions.Logging.Abstractions;
using StationEdge.Access;
using StationEdge.Cli.Commands.Bench;
using StationEdge.Store;
using StationEdge.Vision.Imaging;

namespace StationEdge.Station.Tests.Support;

/// <summary>
/// What the end-to-end tests share: the real models (loaded once, for enrolling workers the way <c>enroll</c> does) and
/// a folder of test media made once by ffmpeg from the demo photos.
/// </summary>
public sealed class StationFixture : IDisposable
{
    private readonly TempFolder _media = new("stationedge-media-");
    private readonly Lazy<StationVision> _vision = new(() => StationVision.Load(new StationVisionOptions { ModelsPath = RepoPaths.Models }));

    public string MediaFolder => _media.Path;

    public StationVision Vision => _vision.Value;

    internal string WalkUp(DemoFace face) => WalkUpMedia.WalkUp(face, MediaFolder);

    internal string Empty(double seconds) => WalkUpMedia.Empty(seconds, MediaFolder);

    internal string Hold(DemoFace face, double seconds) => WalkUpMedia.Hold(face, seconds, MediaFolder);

    internal string Stream(string name, params string[] parts) => WalkUpMedia.Stream(MediaFolder, name, parts);

    /// <summary>Enrols a worker from a cut-out of <paramref name="face"/> into the store at <paramref name="dataPath"/>, as enroll does.</summary>
    internal async Task EnrollAsync(string dataPath, string id, string name, DemoFace face)
    {
        var photo = await new PhotoDecoder().DecodeAsync(WalkUpMedia.Cut(face, MediaFolder), CancellationToken.None);
        using var image = photo.Image;
        var verdict = Vision.Gate.CheckPhoto(image, Vision.Pipeline.Detect(image));
        Assert.True(verdict.Passed, verdict.Message);
        var analysis = Assert.Single(Vision.Pipeline.Analyze(image, [verdict.Face!]));
        await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = dataPath }, NullLogger<StationStore>.Instance);
        var q = verdict.Figures!;
        await store.EnrollAsync(
            new NewWorker { Id = id, Name = name, ConsentVersion = "1" },
            [new NewTemplate(Vision.EmbedderSha256, analysis.Embedding, new TemplateQuality(q.InterEyePx, q.YawDegrees, q.Sharpness, q.Brightness, q.DetectorScore))],
            new KeeperContext("test", "test"));
    }

    public void Dispose()
    {
        if (_vision.IsValueCreated)
        {
            _vision.Value.Dispose();
        }

        _media.Dispose();
    }
}

/// <summary>The end-to-end tests run one at a time: each runs the whole station, models and ffmpeg included, on 2 cores.</summary>
[CollectionDefinition(Name)]
public sealed class StationCollection : ICollectionFixture<StationFixture>
{
    public const string Name = "station end to end";
}

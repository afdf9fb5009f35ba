using System.Drawing;
using System.Text.RegularExpressions;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Quality;
using StationEdge.Vision.Recognition;
using StationEdge.Vision.Tests.Imaging;
using StationEdge.Vision.Tests.Support;

namespace StationEdge.Vision.Tests.Quality;

public sealed class QualityGateTests(FaceModelsFixture models) : IClassFixture<FaceModelsFixture>
{
    private readonly QualityGate _gate = new();

    private FacePipeline Pipeline => models.Pipeline;

    [FacesDevFact]
    public async Task CheckPhoto_AGoodPortrait_Passes_WithItsFigures()
    {
        using var image = await FacesDevPhotos.LoadAsync("img1.jpg");

        var verdict = _gate.CheckPhoto(image, Pipeline.Detect(image));

        Assert.True(verdict.Passed, verdict.Message);
        Assert.Null(verdict.Code);
        Assert.InRange(verdict.Figures!.InterEyePx, 200, 400);
        Assert.InRange(verdict.Figures.Sharpness, QualityGateOptions.DefaultMinSharpness, 5000);
    }

    [FacesDevFact]
    public async Task CheckPhoto_ATinyFace_IsRefusedAsTooSmall_SayingByHowMuch()
    {
        using var full = await FacesDevPhotos.LoadAsync("img1.jpg");
        var eyes = HeadPose.InterEyeDistance(Pipeline.Detect(full)[0]);
        var scale = 25 / eyes;
        using var tiny = ImageOps.ResizeBilinear(full, (int)(full.Width * scale), (int)(full.Height * scale));

        var verdict = _gate.CheckPhoto(tiny, Pipeline.Detect(tiny));

        Assert.Equal((QualityProblem.TooSmall, "too_small"), (verdict.Problem, verdict.Code));
        var said = Regex.Match(verdict.Message, @"^the face is too small: (\d+) px between the eyes, at least 40$");
        Assert.True(said.Success, verdict.Message);
        Assert.InRange(int.Parse(said.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 20, 30);
    }

    [FacesDevFact]
    public async Task CheckPhoto_ABlurredFace_IsRefusedAsBlurred()
    {
        using var folder = new TempFolder();
        var path = folder.File("blurred.png");
        // ffmpeg's gblur σ 30 px on a face 279 px between the eyes: about σ 4 px on the aligned 112×112 face.
        TestMedia.Ffmpeg("-i", FacesDev.Photo("img1.jpg"), "-vf", "gblur=sigma=30", path);
        using var blurred = (await new PhotoDecoder().DecodeAsync(path, CancellationToken.None)).Image;

        var verdict = _gate.CheckPhoto(blurred, Pipeline.Detect(blurred));

        Assert.Equal("blurred", verdict.Code);
        Assert.Matches(@"^the face is blurred: sharpness \d+, at least 40$", verdict.Message);
    }

    [FacesDevFact]
    public Task CheckPhoto_AnUnderexposedFace_IsRefusedAsDark() => CheckExposedAsync(0.2, "dark");

    [FacesDevFact]
    public Task CheckPhoto_AnOverexposedFace_IsRefusedAsBright() => CheckExposedAsync(2.5, "bright");

    [FacesDevFact]
    public async Task CheckPhoto_TwoPeople_IsRefusedAsSeveralFaces()
    {
        using var image = await FacesDevPhotos.LoadAsync("couple.jpg");

        var verdict = _gate.CheckPhoto(image, Pipeline.Detect(image));

        Assert.Equal("several_faces", verdict.Code);
        Assert.StartsWith("2 faces in the photo", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckPhoto_NoFace_IsRefusedAsNoFace()
    {
        using var grey = new RgbImage(64, 64);

        Assert.Equal("no_face", _gate.CheckPhoto(grey, []).Code);
    }

    [Fact]
    public void CheckFace_ATurnedHead_IsRefusedAsTurned_WithTheAngle()
    {
        using var image = new RgbImage(320, 240);
        image.Fill(128, 128, 128);
        // Eyes 60 px apart, the nose 20 px right of their midpoint: atan(20 / (0.4 × 60)) ≈ 40°.
        var face = new DetectedFace(new RectangleF(80, 60, 120, 140),
            [new(100, 100), new(160, 100), new(150, 130), new(130, 160), new(80, 110), new(180, 110)], 0.9f, "test");

        var verdict = _gate.CheckFace(image, face);

        Assert.Equal((QualityProblem.Turned, "turned"), (verdict.Problem, verdict.Code));
        Assert.Equal("the face is turned: 40° to the side, at most 30", verdict.Message);
    }

    [Fact]
    public void EveryProblem_HasAStableCodeAndChineseGuidance()
    {
        var codes = Enum.GetValues<QualityProblem>().Select(QualityGate.Code).ToList();

        Assert.Equal(["no_face", "several_faces", "too_small", "turned", "dark", "bright", "blurred"], codes);
        Assert.All(Enum.GetValues<QualityProblem>(), p => Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", QualityGate.ChineseGuidance(p)));
    }

    private async Task CheckExposedAsync(double gain, string code)
    {
        using var image = await FacesDevPhotos.LoadAsync("img1.jpg");
        var faces = Pipeline.Detect(image);
        var pixels = image.Pixels;
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)Math.Clamp(pixels[i] * gain, 0, 255);
        }

        var verdict = _gate.CheckPhoto(image, faces);

        Assert.Equal(code, verdict.Code);
        Assert.Contains("of 255", verdict.Message, StringComparison.Ordinal);
    }
}

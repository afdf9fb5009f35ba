using System.Text.Json;

namespace StationEdge.Cli.Tests.Vision;

/// <summary>The photos issue 2 names as bad input, made once for the class from a demo sample and ffmpeg's test sources.</summary>
public sealed class BadPhotos : IDisposable
{
    private readonly TempFolder _folder = new();

    public BadPhotos()
    {
        var sample = File.ReadAllBytes(TestModels.DemoPhoto(1));
        File.WriteAllBytes(Truncated, sample[..(sample.Length / 2)]);
        File.WriteAllText(TextNamedJpg, "these are the minutes of the county meeting, not a photo\n");
        Ffmpeg.Run("-f", "lavfi", "-i", "testsrc=size=640x480", "-frames:v", "1", NoFace);
        Ffmpeg.Run("-f", "lavfi", "-i", "color=c=orange:size=16x16", "-vf", "scale=1:1", "-pix_fmt", "rgb24", "-frames:v", "1", OnePixel);
        Ffmpeg.Run("-i", TestModels.DemoPhoto(1), "-vf", "scale=12000:-2", "-q:v", "6", "-frames:v", "1", Wide);
    }

    public string Truncated => _folder.File("truncated.jpg");

    public string TextNamedJpg => _folder.File("minutes.jpg");

    public string NoFace => _folder.File("test-pattern.jpg");

    public string OnePixel => _folder.File("one-pixel.png");

    /// <summary>Demo sample 1 (1920×1280) scaled up to 12000×8000.</summary>
    public string Wide => _folder.File("wide-12000.jpg");

    public string Missing => _folder.File("not-there.jpg");

    public string Folder => _folder.Path;

    public void Dispose() => _folder.Dispose();
}

public sealed class DetectBadPhotoTests(BadPhotos photos) : IClassFixture<BadPhotos>
{
    [Fact]
    public async Task Detect_TruncatedJpeg_ExitsTwoWithOneLineNamingTheFile()
    {
        var result = await DetectAsync(photos.Truncated);

        var line = result.AssertOneLineError(2, photos.Truncated);
        Assert.Contains("truncated or corrupt", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detect_TextFileNamedJpg_ExitsTwoSayingItIsNoImage()
    {
        var result = await DetectAsync(photos.TextNamedJpg);

        var line = result.AssertOneLineError(2, photos.TextNamedJpg);
        Assert.Contains("not a decodable image", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detect_MissingFile_ExitsTwoSayingItIsNotFound()
    {
        var result = await DetectAsync(photos.Missing);

        var line = result.AssertOneLineError(2, photos.Missing);
        Assert.Contains("file not found", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detect_Folder_ExitsTwoSayingItIsAFolder()
    {
        var result = await DetectAsync(photos.Folder);

        var line = result.AssertOneLineError(2, photos.Folder);
        Assert.Contains("directory", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detect_PhotoWithoutFace_SaysZeroFaces()
    {
        var result = await DetectAsync(photos.NoFace);

        Assert.Equal(0, result.Exit);
        Assert.Equal("", result.Stderr);
        Assert.Equal($"{photos.NoFace}: 0 faces (640×480)", result.Stdout.TrimEnd());
    }

    [Fact]
    public async Task Detect_OnePixelPng_ReportsNoFacesAtOneByOne()
    {
        var result = await DetectAsync(photos.OnePixel, "--json");

        Assert.Equal(0, result.Exit);
        var json = result.Json();
        Assert.Equal(1, json.GetProperty("width").GetInt32());
        Assert.Equal(1, json.GetProperty("height").GetInt32());
        Assert.Equal(0, json.GetProperty("faces").GetArrayLength());
    }

    [Fact]
    public async Task Detect_TwelveThousandPixelWidePhoto_FindsTheSameFacesInTheOriginalPixels()
    {
        var small = (await DetectAsync(TestModels.DemoPhoto(1), "--json")).Json();
        var wide = await DetectAsync(photos.Wide, "--json");

        Assert.Equal(0, wide.Exit);
        var json = wide.Json();
        Assert.Equal(12000, json.GetProperty("width").GetInt32());
        var factor = 12000.0 / small.GetProperty("width").GetInt32();
        Assert.Equal(small.GetProperty("height").GetInt32() * factor, json.GetProperty("height").GetInt32(), 2.0);
        Assert.True(json.GetProperty("decode_scale").GetDouble() < 1, "a 12000-pixel photo is decoded downscaled");

        // Every face of the 1920-pixel original is found again where the scaled-up photo has it.
        var smallFaces = small.GetProperty("faces").EnumerateArray().Select(Box).ToList();
        var wideFaces = json.GetProperty("faces").EnumerateArray().Select(Box).ToList();
        Assert.NotEmpty(smallFaces);
        Assert.Equal(smallFaces.Count, wideFaces.Count);
        foreach (var s in smallFaces)
        {
            var (cx, cy, w) = (s.Cx * factor, s.Cy * factor, s.W * factor);
            var match = wideFaces.MinBy(f => Math.Abs(f.Cx - cx) + Math.Abs(f.Cy - cy));
            Assert.True(
                Math.Abs(match.Cx - cx) < 0.1 * w && Math.Abs(match.Cy - cy) < 0.1 * w && Math.Abs(match.W - w) < 0.15 * w,
                $"face at ({cx:0},{cy:0}) width {w:0} in the wide photo was found at ({match.Cx:0},{match.Cy:0}) width {match.W:0}");
        }
    }

    private static (double Cx, double Cy, double W) Box(JsonElement face)
    {
        var box = face.GetProperty("box");
        var (x, y, w, h) = (box.GetProperty("x").GetDouble(), box.GetProperty("y").GetDouble(), box.GetProperty("width").GetDouble(), box.GetProperty("height").GetDouble());
        return (x + (w / 2), y + (h / 2), w);
    }

    private static Task<CliResult> DetectAsync(string photo, params string[] more) =>
        CliRunner.InProcessAsync(["detect", "--photo", photo, "--models", TestModels.Directory, .. more]);
}

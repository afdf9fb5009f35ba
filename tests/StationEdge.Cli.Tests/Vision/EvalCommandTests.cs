using System.Text.Json;

namespace StationEdge.Cli.Tests.Vision;

/// <summary>
/// A small calibration set: five faces-dev photos (two people), a text file posing as a photo, a test pattern with
/// no face, and a pairs file that also names a photo that is not there.
/// </summary>
public sealed class EvalPhotos : IDisposable
{
    public const string Pairs = """
        left,right,same
        img5.jpg,img6.jpg,1
        img5.jpg,img11.jpg,1
        img16.jpg,img17.jpg,1
        img5.jpg,img16.jpg,0
        img6.jpg,img17.jpg,0
        img11.jpg,img16.jpg,0
        img5.jpg,broken.jpg,1
        pattern.jpg,img16.jpg,0
        img6.jpg,gone.jpg,0

        """;

    private readonly TempFolder _folder = new();

    public EvalPhotos()
    {
        if (!FacesDev.IsPresent)
        {
            return;
        }

        foreach (var name in (string[])["img5.jpg", "img6.jpg", "img11.jpg", "img16.jpg", "img17.jpg"])
        {
            File.Copy(FacesDev.Photo(name), _folder.File(name));
        }

        File.WriteAllText(_folder.File("broken.jpg"), "not a photo\n");
        Ffmpeg.Run("-f", "lavfi", "-i", "testsrc=size=320x240", "-frames:v", "1", _folder.File("pattern.jpg"));
        File.WriteAllText(PairsFile, Pairs);
    }

    /// <summary>The copies; reading FacesDev.Folder first makes a missing photo set the reason a face test fails.</summary>
    public string Folder
    {
        get
        {
            _ = FacesDev.Folder;
            return _folder.Path;
        }
    }

    public string PairsFile => Path.Combine(Folder, "pairs.csv");

    public void Dispose() => _folder.Dispose();
}

public sealed class EvalCommandTests(EvalPhotos photos) : IClassFixture<EvalPhotos>
{
    [FacesDevFact]
    public async Task Eval_Json_PrintsOneDocumentWithTheFiguresAndEverySkippedPairWithItsReason()
    {
        var result = await CliRunner.ChildProcessAsync("eval", "--pairs", photos.PairsFile, "--models", TestModels.Directory, "--json");

        Assert.True(result.Exit == 0, result.Stderr);
        Assert.Contains("eval: analysed", result.Stderr, StringComparison.Ordinal);
        var json = result.Json();
        Assert.Equal(6, json.GetProperty("pairs").GetInt32());

        var skipped = json.GetProperty("skipped").EnumerateArray()
            .ToDictionary(s => s.GetProperty("line").GetInt32(), s => s.GetProperty("reason").GetString()!);
        Assert.Equal([8, 9, 10], skipped.Keys.Order());
        Assert.StartsWith("broken.jpg: unreadable", skipped[8], StringComparison.Ordinal);
        Assert.Equal("pattern.jpg: no face found", skipped[9]);
        Assert.Equal("gone.jpg: unreadable: file not found", skipped[10]);

        AssertFraction(json.GetProperty("auc"));
        AssertFraction(json.GetProperty("eer"));
        foreach (var key in (string[])["tar_at_far", "threshold_at_far"])
        {
            var byFar = json.GetProperty(key);
            Assert.Equal(["0.001", "0.01"], byFar.EnumerateObject().Select(p => p.Name).Order());
        }

        AssertFraction(json.GetProperty("tar_at_far").GetProperty("0.01"));
        AssertFraction(json.GetProperty("tar_at_far").GetProperty("0.001"));
        var same = Distribution(json.GetProperty("same"));
        var different = Distribution(json.GetProperty("different"));
        Assert.True(same.Median > different.Median, $"same-person median {same.Median} should beat different-person median {different.Median}");
    }

    [FacesDevFact]
    public async Task Eval_ImagesFolder_ResolvesThePairsFilesPathsAgainstIt()
    {
        using var elsewhere = new TempFolder();
        var csv = elsewhere.File("county-pairs.csv");
        File.WriteAllText(csv, EvalPhotos.Pairs);

        var result = await CliRunner.InProcessAsync("eval", "--pairs", csv, "--images", photos.Folder, "--models", TestModels.Directory);

        Assert.True(result.Exit == 0, result.Stderr);
        Assert.Contains("pairs used   6 (3 same person, 3 different people)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("line 9: pattern.jpg: no face found", result.Stdout, StringComparison.Ordinal);
    }

    [FacesDevFact]
    public async Task Eval_WithoutImagesFolder_WhenNoPhotoIsBesideThePairsFile_ExitsTwoSuggestingImages()
    {
        using var elsewhere = new TempFolder();
        var csv = elsewhere.File("county-pairs.csv");
        File.WriteAllText(csv, EvalPhotos.Pairs);

        var result = await CliRunner.InProcessAsync("eval", "--pairs", csv, "--models", TestModels.Directory);

        var line = result.AssertOneLineError(2, csv);
        Assert.Contains("none of the 8 photos it names exists", line, StringComparison.Ordinal);
        Assert.Contains("--images DIR", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("left,right,same\na.jpg,b.jpg,1\na.jpg,c.jpg,yes\n", 3, "'same' must be 1 or 0")]
    [InlineData("left,right,same\na.jpg,b.jpg\n", 2, "expected 3 columns")]
    [InlineData("left,right,same\na.jpg,,0\n", 2, "empty photo path")]
    [InlineData("photo1,photo2,match\na.jpg,b.jpg,1\n", 1, "expected columns left,right,same")]
    public async Task Eval_MalformedPairsFile_ExitsTwoNamingFileAndLine(string content, int line, string reason)
    {
        using var folder = new TempFolder();
        var csv = folder.File("pairs.csv");
        File.WriteAllText(csv, content);

        var result = await CliRunner.InProcessAsync("eval", "--pairs", csv);

        var error = result.AssertOneLineError(2, $"{csv}:{line}:");
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_PhotoGivenAsThePairsFile_ExitsTwoSayingItIsNoCsvText()
    {
        var result = await CliRunner.InProcessAsync("eval", "--pairs", TestModels.DemoPhoto(2), "--models", TestModels.Directory);

        var line = result.AssertOneLineError(2, $"{TestModels.DemoPhoto(2)}:1:");
        Assert.Contains("not a CSV text file", line, StringComparison.Ordinal);
        Assert.True(line.Length < 300, line);
    }

    [Fact]
    public async Task Eval_MissingPairsFile_ExitsTwoNamingIt()
    {
        var result = await CliRunner.InProcessAsync("eval", "--pairs", "/nonexistent/pairs.csv");

        result.AssertOneLineError(2, "/nonexistent/pairs.csv: pairs file not found");
    }

    private static void AssertFraction(JsonElement value)
    {
        var x = value.GetDouble();
        Assert.InRange(x, 0.0, 1.0);
    }

    private static (double Min, double Median, double Max) Distribution(JsonElement d)
    {
        var (min, median, max) = (d.GetProperty("min").GetDouble(), d.GetProperty("median").GetDouble(), d.GetProperty("max").GetDouble());
        Assert.True(min <= median && median <= max, $"min {min} ≤ median {median} ≤ max {max}");
        Assert.InRange(min, -1.0, 1.0);
        Assert.InRange(max, -1.0, 1.0);
        return (min, median, max);
    }
}

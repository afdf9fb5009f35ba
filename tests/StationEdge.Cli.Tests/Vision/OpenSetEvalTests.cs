using System.Text.Json;

namespace StationEdge.Cli.Tests.Vision;

/// <summary>`eval --open-set` end to end: the door simulation on faces-dev, the gallery/probes files, and its errors.</summary>
public sealed class OpenSetEvalTests
{
    [FacesDevFact]
    public async Task OpenSet_OnFacesDev_StatesTheDoorAndKeepsItsStrangersOut()
    {
        var result = await CliRunner.ChildProcessAsync("eval", "--open-set", "--photos", FacesDev.Folder, "--models", TestModels.Directory, "--json");

        Assert.True(result.Exit == 0, result.Stderr);
        Assert.Contains("eval: analysed", result.Stderr, StringComparison.Ordinal);
        var json = result.Json();
        var door = json.GetProperty("door");
        Assert.Equal(1, door.GetProperty("enroll").GetInt32());
        Assert.Equal("leave-one-person-out", door.GetProperty("protocol").GetString());
        var workers = door.GetProperty("gallery_workers").GetInt32();
        Assert.InRange(workers, 5, 62);
        Assert.Equal(workers - 1, door.GetProperty("stranger_gallery_workers").GetInt32());
        Assert.Equal("faceplugin-feature.onnx", door.GetProperty("embedder").GetString());

        var strangers = Side(json.GetProperty("strangers"));
        var enrolled = Side(json.GetProperty("enrolled"));
        Assert.True(strangers.WalkUps >= 20, $"{strangers.WalkUps} stranger walk-ups");
        Assert.True(enrolled.WalkUps >= 5, $"{enrolled.WalkUps} enrolled walk-ups");
        Assert.Equal(strangers.WalkUps, strangers.LetIn + strangers.Refused);
        Assert.Equal(enrolled.WalkUps, enrolled.LetIn + enrolled.Refused);

        // Sanity bounds, not results: the default rule keeps these Western faces' strangers out and lets some riders in.
        Assert.Equal(0, strangers.LetIn);
        Assert.True(enrolled.LetIn > 0, "the default rule let no enrolled walk-up in");

        var tail = json.GetProperty("stranger_tail");
        Assert.InRange(tail.GetProperty("mean").GetDouble(), -0.2, 0.3);
        Assert.InRange(tail.GetProperty("spread").GetDouble(), 0.01, 0.3);
        Assert.True(
            tail.GetProperty("threshold_at_station").GetDouble() > tail.GetProperty("threshold_here").GetDouble(),
            "100 workers need a stricter threshold than the few here");
        Assert.InRange(json.GetProperty("at_target_far").GetProperty("enrolled_refused").GetDouble(), 0, 1);
        Assert.True(json.GetProperty("at_target_far").GetProperty("coarse").GetBoolean(), "a few dozen strangers cannot pin 0.1%");
    }

    [FacesDevFact]
    public async Task OpenSet_GalleryAndProbesFiles_ProbesOfPeopleNotInTheGallery_AreTheStrangers_AndLowThresholdLetsThemIn()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("broken.jpg"), "not a photo\n");
        File.WriteAllText(folder.File("gallery.csv"), $"photo,person\n{FacesDev.Photo("img5.jpg")},ana\n{FacesDev.Photo("img16.jpg")},bo\n");
        File.WriteAllText(
            folder.File("probes.csv"),
            $"person,photo\nana,{FacesDev.Photo("img6.jpg")}\nbo,{FacesDev.Photo("img17.jpg")}\ncy,{FacesDev.Photo("img1.jpg")}\ncy,broken.jpg\n");

        var result = await CliRunner.InProcessAsync(
            "eval", "--open-set", "--gallery", folder.File("gallery.csv"), "--probes", folder.File("probes.csv"), "--threshold", "-1", "--models", TestModels.Directory, "--json");

        Assert.True(result.Exit == 0, result.Stderr);
        var json = result.Json();
        Assert.Equal("not-in-gallery", json.GetProperty("door").GetProperty("protocol").GetString());
        Assert.Equal(2, json.GetProperty("door").GetProperty("gallery_workers").GetInt32());
        var strangers = Side(json.GetProperty("strangers"));
        Assert.Equal((1, 1), (strangers.WalkUps, strangers.LetIn));
        Assert.Equal(2, Side(json.GetProperty("enrolled")).WalkUps);
        var skipped = Assert.Single(json.GetProperty("skipped").EnumerateArray());
        Assert.EndsWith("broken.jpg", skipped.GetProperty("photo").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("unreadable", skipped.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [FacesDevFact]
    public async Task OpenSet_Text_SaysWhoWasEnrolledWhoWalkedUpAndWhatToSet()
    {
        var result = await CliRunner.InProcessAsync("eval", "--open-set", "--photos", FacesDev.Folder, "--enroll", "1", "--far", "0.01", "--models", TestModels.Directory);

        Assert.True(result.Exit == 0, result.Stderr);
        Assert.Contains("K = 1 photo(s) enrolled per person", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("strangers     leave-one-person-out", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("strangers let in    0 of ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("for at most 1% of strangers let in:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("walk up at least 100 strangers", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--open-set" }, "needs one of --photos DIR, --pairs CSV, or --gallery CSV with --probes CSV")]
    [InlineData(new[] { "--open-set", "--gallery", "g.csv" }, "needs one of --photos DIR")]
    [InlineData(new[] { "--open-set", "--photos", "/nonexistent/faces" }, "--photos /nonexistent/faces: folder not found")]
    [InlineData(new[] { "--open-set", "--photos", "/tmp", "--templates", "mean" }, "--templates must be centroid or best (was 'mean')")]
    [InlineData(new[] { "--open-set", "--photos", "/tmp", "--enroll", "0" }, "--enroll must be a whole number from 1 to 50")]
    [InlineData(new[] { "--open-set", "--photos", "/tmp", "--far", "2" }, "--far must be a number")]
    [InlineData(new[] { "--open-set", "--photos", "/tmp", "--embedder", "dlib" }, "--embedder must be faceplugin or mobilefacenet")]
    public async Task OpenSet_BadFlags_ExitTwoWithOneLineNamingThem(string[] args, string reason)
    {
        var result = await CliRunner.InProcessAsync(["eval", .. args]);

        result.AssertOneLineError(2, reason);
    }

    [Fact]
    public async Task OpenSet_GalleryFileWithTheWrongHeader_ExitsTwoNamingFileAndLine()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("g.csv"), "left,right\na.jpg,b.jpg\n");
        File.WriteAllText(folder.File("p.csv"), "photo,person\na.jpg,x\n");

        var result = await CliRunner.InProcessAsync("eval", "--open-set", "--gallery", folder.File("g.csv"), "--probes", folder.File("p.csv"));

        result.AssertOneLineError(2, $"{folder.File("g.csv")}:1: header is 'left,right', expected columns photo,person");
    }

    private static (int WalkUps, int LetIn, int Refused) Side(JsonElement side) =>
        (side.GetProperty("walk_ups").GetInt32(), side.GetProperty("let_in").GetInt32(), side.GetProperty("refused").GetInt32());
}

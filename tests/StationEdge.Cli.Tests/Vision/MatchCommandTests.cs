using System.Text.Json;

namespace StationEdge.Cli.Tests.Vision;

/// <summary>match on the demo photos: who appears in more than one, in text and JSON that agree.</summary>
public sealed class MatchCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task SamePhotoTwice_ExitsTwoNamingIt()
    {
        var photo = TestModels.DemoPhoto(1);

        var result = await MatchAsync([photo, TestModels.DemoPhoto(2), photo]);

        result.AssertOneLineError(2, $"station-edge: match: --photos names {photo} twice");
    }

    [Fact]
    public async Task SameFileByAnotherPath_ExitsTwoNamingBoth()
    {
        var photo = TestModels.DemoPhoto(1);
        var link = _folder.File("link.jpg");
        File.CreateSymbolicLink(link, photo);

        var result = await MatchAsync([photo, link]);

        result.AssertOneLineError(2, $"station-edge: match: --photos names one file twice: {photo} and {link}");
    }

    [Fact]
    public async Task CopyOfAPhoto_TextAndJsonAgreeThatEveryFaceIsSeenTwice()
    {
        var (photo, copy, json, text) = await MatchPhotoAndCopyAsync();

        var people = json.GetProperty("people").EnumerateArray().ToList();
        Assert.NotEmpty(people);
        Assert.All(people, p => Assert.Equal([photo, copy], p.GetProperty("appearances").EnumerateArray().Select(a => a.GetProperty("photo").GetString())));
        var faces = json.GetProperty("faces").GetInt32();
        Assert.Equal(2 * people.Count, faces);
        Assert.Equal(
            $"{faces} faces in 2 photos: {people.Count} different people, {people.Count} seen in more than one photo (match threshold 0.73, margin 0.00)",
            text.StdoutLines[0]);
        Assert.Equal(people.Count + 1, text.StdoutLines.Length);
    }

    [Fact]
    public async Task FirstAppearance_HasNoScore_LaterOnesTheirSimilarity()
    {
        var (_, _, json, text) = await MatchPhotoAndCopyAsync();

        foreach (var person in json.GetProperty("people").EnumerateArray())
        {
            var appearances = person.GetProperty("appearances").EnumerateArray().ToList();
            Assert.Equal(JsonValueKind.Null, appearances[0].GetProperty("score").ValueKind);
            Assert.InRange(appearances[1].GetProperty("score").GetDouble(), 0.99, 1.0001);
        }

        Assert.All(text.StdoutLines.Skip(1), line => Assert.Matches(@"^  person-\d+: sample1\.jpg face \d+ at -?\d+,-?\d+ \(—\) · copy\.jpg face \d+ at -?\d+,-?\d+ \((0\.99|1\.00)\)$", line));
    }

    /// <summary>Demo sample 1 and a copy of it under another name, matched with --json and as text.</summary>
    private async Task<(string Photo, string Copy, JsonElement Json, CliResult Text)> MatchPhotoAndCopyAsync()
    {
        var photo = TestModels.DemoPhoto(1);
        var copy = _folder.File("copy.jpg");
        File.Copy(photo, copy);
        var json = (await MatchAsync([photo, copy, "--json"])).Json();
        return (photo, copy, json, await MatchAsync([photo, copy]));
    }

    private static Task<CliResult> MatchAsync(string[] photosThenFlags) =>
        CliRunner.InProcessAsync(["match", "--models", TestModels.Directory, "--photos", .. photosThenFlags]);
}

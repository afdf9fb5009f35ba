using System.Text.Json;

namespace StationEdge.Cli.Tests.Vision;

/// <summary>`eval --open-set --learn` on a short sequence from faces-dev: the JSON the issue names, and figures that add up.</summary>
public sealed class OpenSetLearnEvalTests
{
    [FacesDevFact]
    public async Task Learn_OnAShortSequence_GivesRefusedByPositionAndStrangersLetIn()
    {
        using var folder = new TempFolder();
        string[][] people = [["img1.jpg", "img2.jpg", "img4.jpg"], ["img13.jpg", "img14.jpg", "img15.jpg"], ["img16.jpg", "img17.jpg"], ["img20.jpg", "img21.jpg"]];
        var lines = new List<string> { "left,right,same" };
        foreach (var person in people)
        {
            lines.AddRange(person.Skip(1).Select(p => $"{FacesDev.Photo(person[0])},{FacesDev.Photo(p)},1"));
        }

        lines.Add($"{FacesDev.Photo("img1.jpg")},{FacesDev.Photo("img13.jpg")},0");
        File.WriteAllLines(folder.File("pairs.csv"), lines);

        var result = await CliRunner.InProcessAsync("eval", "--open-set", "--learn", "--pairs", folder.File("pairs.csv"), "--models", TestModels.Directory, "--json");

        Assert.True(result.Exit == 0, result.Stderr);
        var json = result.Json();
        Assert.Equal((2, 2), (json.GetProperty("workers").GetInt32(), json.GetProperty("strangers").GetInt32()));
        var refused = json.GetProperty("refused_by_position").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.InRange(refused.Count, 1, 2);
        Assert.All(refused, r => Assert.InRange(r, 0, 1));
        var learning = json.GetProperty("learning");
        var walks = learning.GetProperty("walk_ups_by_position").EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Equal(refused.Count, walks.Count);
        Assert.Equal(walks.Sum(), learning.GetProperty("stranger_walk_ups").GetInt32());
        var letIn = json.GetProperty("strangers_let_in").GetInt32();
        Assert.InRange(letIn, 0, walks.Sum());
        Assert.Equal(letIn, learning.GetProperty("strangers_let_in").GetInt32());
        Assert.Equal(JsonValueKind.Array, json.GetProperty("without_learning").GetProperty("refused_by_position").ValueKind);
        Assert.Equal("even", json.GetProperty("worker_half").GetString());
        var headroom = learning.GetProperty("least_stranger_headroom").GetDouble();
        if (letIn > 0)
        {
            // A stranger let in reached the threshold of the moment.
            Assert.True(headroom <= 0, $"{letIn} strangers let in, yet the least headroom was {headroom}");
        }

        Assert.InRange(learning.GetProperty("highest_stranger_score").GetDouble(), -1, 1);

        // The other half as the workers: the same people, the roles swapped; the learner's limits as the flags set them.
        var swapped = await CliRunner.InProcessAsync("eval", "--open-set", "--learn", "--workers", "odd", "--learn-max", "1", "--learn-move", "0.05",
            "--pairs", folder.File("pairs.csv"), "--models", TestModels.Directory, "--json");
        Assert.True(swapped.Exit == 0, swapped.Stderr);
        var other = swapped.Json();
        Assert.Equal(("odd", 1, 0.05), (other.GetProperty("worker_half").GetString(), other.GetProperty("max_learned").GetInt32(),
            Math.Round(other.GetProperty("limits").GetProperty("max_centroid_move").GetDouble(), 4)));
        Assert.Equal((2, 2), (other.GetProperty("workers").GetInt32(), other.GetProperty("strangers").GetInt32()));
    }

    [Theory]
    [InlineData("--workers", "third", "eval: --workers must be even or odd (was 'third')", true)]
    [InlineData("--learn-max", "2", "eval: --learn-max is for --learn", false)]
    public async Task ALearningFlag_OutOfPlaceOrWrong_IsOneLineBeforeAnyPhotoIsRead(string flag, string value, string error, bool withLearn)
    {
        string[] args = ["eval", "--open-set", .. (withLearn ? new[] { "--learn" } : []), flag, value, "--photos", "/nonexistent", "--models", TestModels.Directory];

        var result = await CliRunner.InProcessAsync(args);

        result.AssertOneLineError(2, "station-edge: " + error);
    }
}

using StationEdge.Vision.Imaging;
using StationEdge.Vision.Liveness;

namespace StationEdge.Evaluation.Tests;

/// <summary>The decode-ahead loop both eval commands share, on real photos through ffmpeg.</summary>
public sealed class PhotoAnalysisTests
{
    private static string Demo(int n) => RepoPaths.Model(Path.Combine("demo", $"sample{n}.jpg"));

    [Fact]
    public async Task Results_KeepTheOrderGiven_AndUnreadablePhotosBecomeResultsNamingWhy()
    {
        using var folder = new TempFolder();
        var notAPhoto = folder.File("notes.jpg");
        await File.WriteAllTextAsync(notAPhoto, "this is text, not a JPEG");
        string[] photos = [Demo(2), folder.File("missing.jpg"), Demo(1), notAPhoto, Demo(3)];

        var results = await PhotoAnalysis.AnalyseInOrderAsync(
            new PhotoDecoder(),
            photos,
            p => p,
            (p, image) => $"{Path.GetFileName(p)} {image.Width}x{image.Height}",
            (p, reason) => $"{Path.GetFileName(p)} {reason}",
            null,
            CancellationToken.None);

        Assert.Equal(photos.Length, results.Count);
        Assert.Matches(@"^sample2\.jpg \d+x\d+$", results[0]);
        Assert.Equal($"missing.jpg {PhotoAnalysis.NotFound}", results[1]);
        Assert.Matches(@"^sample1\.jpg \d+x\d+$", results[2]);
        Assert.StartsWith("notes.jpg unreadable: ", results[3], StringComparison.Ordinal);
        Assert.NotEqual($"notes.jpg {PhotoAnalysis.NotFound}", results[3]);
        Assert.Matches(@"^sample3\.jpg \d+x\d+$", results[4]);
    }

    [Fact]
    public async Task Progress_IsToldEveryTwentyFivePhotos_AndAtTheEnd()
    {
        using var folder = new TempFolder();
        var photos = Enumerable.Range(0, 27).Select(i => folder.File($"missing-{i}.jpg")).ToList();
        var told = new List<(int Done, int Total)>();

        var results = await PhotoAnalysis.AnalyseInOrderAsync(
            new PhotoDecoder(), photos, p => p, (_, _) => "decoded", (_, reason) => reason, (d, t) => told.Add((d, t)), CancellationToken.None);

        Assert.All(results, r => Assert.Equal(PhotoAnalysis.NotFound, r));
        Assert.Equal([(25, 27), (27, 27)], told);
    }

    [Fact]
    public async Task Cancellation_EndsTheRun()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PhotoAnalysis.AnalyseInOrderAsync(
            new PhotoDecoder(), [Demo(1), Demo(2)], p => p, (_, _) => 0, (_, _) => 1, null, cts.Token));
    }

    [Fact]
    public void LivenessTally_CountsOnlyScoredFaces_AndNamesThoseCalledFake_InOrder()
    {
        var tally = LivenessTally.Of(
        [
            ("/a/z.jpg", new LivenessResult(0.1f, false, 0.5f)),
            ("/a/b.jpg", new LivenessResult(0.9f, true, 0.5f)),
            ("/a/not-scored.jpg", null),
            ("/b/c.jpg", new LivenessResult(0.2f, false, 0.5f)),
        ]);

        Assert.Equal(3, tally.Faces);
        Assert.Equal(2, tally.CalledFake);
        Assert.Equal(2 / 3.0, tally.Bpcer, 12);
        Assert.Equal(["c.jpg", "z.jpg"], tally.CalledFakePhotos);
        Assert.Equal(0, LivenessTally.Of([("/x.jpg", null)]).Bpcer);
    }
}

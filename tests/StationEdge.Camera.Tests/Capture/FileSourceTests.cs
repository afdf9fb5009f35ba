using System.Diagnostics;
using StationEdge.Camera.Tests.Support;

namespace StationEdge.Camera.Tests.Capture;

public sealed class FileSourceTests
{
    /// <summary>A 2 s, 10 fps video whose red channel is frame number × 10: frame n is red 10n.</summary>
    private static string MakeVideo(TempFolder folder)
    {
        var path = folder.File("counting.mkv");
        Media.Ffmpeg("-f", "lavfi", "-i", Media.CountingGraph(160, 120, 10, 10), "-frames:v", "20", "-c:v", "ffv1", path);
        return path;
    }

    [Fact]
    public async Task VideoFile_PlaysAtItsOwnRateAndEnds()
    {
        using var folder = new TempFolder();
        await using var camera = await RunningCamera.StartAsync(new CameraOptions { Source = MakeVideo(folder), Width = 160, Height = 120, Fps = 10 });
        var reds = new List<int>();
        var clock = Stopwatch.StartNew();
        while (await camera.ReadOrEndAsync() is { } frame)
        {
            using (frame)
            {
                reds.Add(Media.Pixel(frame, 80, 60).R);
            }
        }

        var elapsed = clock.Elapsed;
        var ended = await camera.NextEventAsync<CameraEnded>();

        // Content in order, last frame the file's last; frames skipped only if the machine stalled the reader.
        Assert.Equal(190, reds[^1]);
        Assert.Equal(reds.Order(), reds);
        Assert.Equal(20, ended.Frames);

        // At its own rate, not as fast as ffmpeg decodes (which takes a few ms for this file): a generous lower bound.
        Assert.True(elapsed > TimeSpan.FromSeconds(1), $"2 s of video played in {elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(CameraState.Ended, camera.Source.Health.State);
        Assert.DoesNotContain(camera.Seen, e => e is CameraLost);
    }

    [Fact]
    public async Task VideoFile_WithLoop_StartsAgainAtTheEnd()
    {
        using var folder = new TempFolder();
        await using var camera = await RunningCamera.StartAsync(new CameraOptions { Source = MakeVideo(folder), Width = 160, Height = 120, Fps = 10, Loop = true });
        var previous = -1;
        var wraps = 0;
        for (var i = 0; i < 50 && wraps < 2; i++)
        {
            using var frame = await camera.ReadAsync();
            var red = Media.Pixel(frame, 80, 60).R;
            wraps += red < previous ? 1 : 0;
            previous = red;
        }

        Assert.Equal(2, wraps);
        Assert.Equal(CameraState.Running, camera.Source.Health.State);
        Assert.Equal(0, camera.Source.Health.Restarts);
    }

    [Fact]
    public async Task PhotoFolder_ShowsEachPhotoFittedToTheFrameInNameOrder()
    {
        using var folder = new TempFolder();

        // Different sizes and formats, and a name that needs filter-graph escaping (comma, quote, colon, brackets).
        Media.Photo(folder.File("01 red.png"), 320, 240, "red");
        Media.Photo(folder.File("02, it's [green]: wide.jpg"), 800, 200, "lime");
        Media.Photo(folder.File("03-blue.bmp"), 100, 400, "blue");
        File.WriteAllText(folder.File("notes.txt"), "not a photo");
        await using var camera = await RunningCamera.StartAsync(new CameraOptions { Source = folder.Path, Width = 160, Height = 120, Fps = 10, PhotoSeconds = 0.8 });

        var shown = new List<string>();
        while (await camera.ReadOrEndAsync() is { } frame)
        {
            using (frame)
            {
                Assert.Equal((160, 120), (frame.Width, frame.Height));
                var colour = Dominant(Media.Pixel(frame, 80, 60));
                if (shown.Count == 0 || shown[^1] != colour)
                {
                    shown.Add(colour);
                }

                // 800x200 fits as 160x40: black bars above and below. 100x400 fits as 30x120: bars left and right.
                if (colour == "green")
                {
                    Assert.Equal((0, 0, 0), Media.Pixel(frame, 80, 10));
                    Assert.Equal("green", Dominant(Media.Pixel(frame, 2, 60)));
                }
                else if (colour == "blue")
                {
                    Assert.Equal((0, 0, 0), Media.Pixel(frame, 10, 60));
                    Assert.Equal("blue", Dominant(Media.Pixel(frame, 80, 2)));
                }
            }
        }

        Assert.Equal(["red", "green", "blue"], shown);
        Assert.Equal(24, (await camera.NextEventAsync<CameraEnded>()).Frames);
    }

    [Fact]
    public async Task PhotoFolder_WithLoop_ShowsThePhotosAgain()
    {
        using var folder = new TempFolder();
        Media.Photo(folder.File("a.png"), 64, 48, "red");
        Media.Photo(folder.File("b.png"), 64, 48, "lime");
        await using var camera = await RunningCamera.StartAsync(new CameraOptions { Source = folder.Path, Width = 64, Height = 48, Fps = 10, PhotoSeconds = 0.6, Loop = true });
        var shown = new List<string>();
        while (shown.Count < 5)
        {
            using var frame = await camera.ReadAsync();
            var colour = Dominant(Media.Pixel(frame, 32, 24));
            if (shown.Count == 0 || shown[^1] != colour)
            {
                shown.Add(colour);
            }
        }

        // Five changes between two photos is the folder shown again and again. Which comes first is not asserted: on a
        // loaded machine the newest-frame slot may drop the first photo's frames before the test reads one.
        Assert.All(shown, colour => Assert.Contains(colour, new[] { "red", "green" }));
        Assert.Equal(0, camera.Source.Health.Restarts);
    }

    private static string Dominant((byte R, byte G, byte B) p) =>
        p.R > 200 && p.G < 60 && p.B < 60 ? "red"
        : p.G > 200 && p.R < 60 && p.B < 60 ? "green"
        : p.B > 200 && p.R < 60 && p.G < 60 ? "blue"
        : $"({p.R},{p.G},{p.B})";
}

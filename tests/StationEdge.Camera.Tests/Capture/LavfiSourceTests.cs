using StationEdge.Camera.Tests.Support;

namespace StationEdge.Camera.Tests.Capture;

public sealed class LavfiSourceTests
{
    [Fact]
    public async Task Lavfi_DeliversFramesOfTheConfiguredSizeAtTheConfiguredRate()
    {
        // A 30 fps source whose red channel counts frames by 4, taken at 10 fps: every third source frame, so frame
        // n+k is 12k redder than frame n (mod 256), whatever a loaded machine made the test skip. 320x240 comes out 160x120.
        await using var camera = await RunningCamera.StartAsync(RunningCamera.Lavfi(Media.CountingGraph(320, 240, 30, 4), 160, 120, 10));
        using var first = await camera.ReadAsync();
        var (red0, _, _) = Media.Pixel(first, 80, 60);
        for (var i = 0; i < 12; i++)
        {
            using var frame = await camera.ReadAsync();
            Assert.Equal((160, 120, 160 * 120 * 3), (frame.Width, frame.Height, frame.Pixels.Length));
            Assert.True(frame.Sequence > first.Sequence);
            var (r, g, b) = Media.Pixel(frame, 80, 60);
            Assert.Equal((0, 0), (g, b));
            Assert.Equal((red0 + (12 * (frame.Sequence - first.Sequence))) % 256, r);
        }

        var health = camera.Source.Health;
        Assert.Equal(CameraState.Running, health.State);
        Assert.True(health.FramesPerSecond > 0);
        Assert.True(health.FramesReceived >= 13);
        Assert.InRange(DateTimeOffset.UtcNow - health.LastFrameAt!.Value, TimeSpan.Zero, RunningCamera.Patience);

        // Pooled: 13+ frames through a handful of buffers (reader, slot, the held first frame, the one being read).
        Assert.InRange(camera.Source.BuffersAllocated, 2, 6);
    }
}

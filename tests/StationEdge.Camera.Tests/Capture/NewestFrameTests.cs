using StationEdge.Camera.Tests.Support;

namespace StationEdge.Camera.Tests.Capture;

public sealed class NewestFrameTests
{
    [Fact]
    public async Task SlowConsumer_GetsTheNewestFrame_AndTheSkippedOnesAreCountedAsDropped()
    {
        // 20 fps, red = 10 × output frame (mod 256): a frame's content says which frame it is.
        await using var camera = await RunningCamera.StartAsync(RunningCamera.Lavfi(Media.CountingGraph(64, 48, 20, 10), 64, 48, 20));
        using var first = await camera.ReadAsync();
        var red0 = Media.Pixel(first, 32, 24).R;
        var previous = first.Sequence;
        var skipped = 0L;
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(300);
            using var frame = await camera.ReadAsync();
            using var latest = camera.Source.TryGetLatest();

            // Not the next in a queue: the newest there is (at most one arrived between the two calls).
            Assert.InRange(latest!.Sequence - frame.Sequence, 0, 1);
            Assert.True(frame.Sequence - previous >= 2, $"after 300 ms the consumer got frame {frame.Sequence} after {previous}");
            Assert.Equal((red0 + (10 * (frame.Sequence - first.Sequence))) % 256, Media.Pixel(frame, 32, 24).R);
            skipped += frame.Sequence - previous - 1;
            previous = frame.Sequence;
        }

        Assert.True(camera.Source.Health.FramesDropped >= skipped, $"dropped {camera.Source.Health.FramesDropped}, skipped {skipped}");
    }

    [Fact]
    public async Task Preview_SharesTheAccessLoopsFramesWithoutTakingThem()
    {
        await using var camera = await RunningCamera.StartAsync(RunningCamera.Lavfi(Media.CountingGraph(64, 48, 10, 10), 64, 48, 10));
        using var taken = await camera.ReadAsync();
        using var timeout = new CancellationTokenSource(RunningCamera.Patience);
        using var preview = await camera.Source.WaitForNewerAsync(taken.Sequence, timeout.Token);
        using var next = await camera.ReadAsync();

        // The preview's frame is still the access loop's to take (same buffer, no copy) unless a newer one replaced it.
        Assert.True(next.Sequence >= preview!.Sequence);
        if (next.Sequence == preview.Sequence)
        {
            Assert.Same(preview.Buffer, next.Buffer);
        }
    }
}
